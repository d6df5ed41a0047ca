import Foundation
import StudioData
import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// Accuracy, per-class accuracy, confusion and robust accuracy of a classifier (evaluation mode).
public enum ClassifierEvaluation {
    /// Predicted classes for every example, in batches.
    public static func predictions(_ model: any ImageClassifier, data: ClassificationData, batchSize: Int = 128)
        -> [Int]
    {
        model.setTraining(false)
        var predicted = [Int]()
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let (inputs, _) = data.batch(Array(start..<min(start + batchSize, data.count)))
            predicted += model.logits(inputs).argmaxRows()
        }
        return predicted
    }

    /// Accuracy of each group (speaker) of each class of `data` from the `predicted` classes,
    /// ordered by class name, then worst first. Speakers decide held-out accuracy: a few of them make a test split.
    public static func groupAccuracies(predicted: [Int], data: ClassificationData) -> [GroupAccuracy] {
        var tallies = [String: GroupAccuracy]()
        for (index, guess) in predicted.enumerated() {
            let group = data.groups[index]
            let key = "\(data.labels[index]) \(group)"
            var tally =
                tallies[key]
                ?? GroupAccuracy(
                    group: group, className: data.classNames[data.labels[index]], count: 0, correct: 0,
                    mistakenFor: [:])
            tally.count += 1
            if guess == data.labels[index] {
                tally.correct += 1
            } else {
                tally.mistakenFor[data.classNames[guess], default: 0] += 1
            }
            tallies[key] = tally
        }
        return tallies.values.sorted {
            ($0.className, $0.accuracy, $0.group) < ($1.className, $1.accuracy, $1.group)
        }
    }

    /// Share of examples classified correctly.
    public static func accuracy(_ model: any ImageClassifier, data: ClassificationData) -> Float {
        let predicted = predictions(model, data: data)
        return Float(zip(predicted, data.labels).filter { $0 == $1 }.count) / Float(max(data.count, 1))
    }

    /// `confusion[true][predicted]` counts.
    public static func confusion(predicted: [Int], labels: [Int], classCount: Int) -> [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (guess, truth) in zip(predicted, labels) { matrix[truth][guess] += 1 }
        return matrix
    }

    /// Accuracy on PGD adversarial examples.
    public static func robustAccuracy(
        _ model: any ImageClassifier, data: ClassificationData, attack: ProjectedGradientDescent, seed: UInt64 = 0,
        batchSize: Int = 64, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) -> Float {
        model.setTraining(false)
        model.detachParameters()
        var random = SplitMix64(seed: seed)
        var correct = 0
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let (inputs, labels) = data.batch(Array(start..<min(start + batchSize, data.count)))
            let adversarial = attack.attack(inputs, labels: labels, model: model.logits, using: &random)
            correct += zip(model.logits(adversarial).argmaxRows(), labels).filter { $0 == $1 }.count
            progress(min(start + batchSize, data.count), data.count)
        }
        return Float(correct) / Float(max(data.count, 1))
    }
}

/// How many of one group's (speaker's) examples a classifier got right.
public struct GroupAccuracy: Sendable, Codable, Equatable {
    /// The group (speaker) name.
    public var group: String
    /// The class of the group's first example.
    public var className: String
    /// Examples, and how many were classified correctly.
    public var count: Int, correct: Int
    /// The wrong answers, counted by the class they named.
    public var mistakenFor: [String: Int]

    /// Share classified correctly.
    public var accuracy: Float { Float(correct) / Float(max(count, 1)) }
}
