import Foundation
import StudioClassifiers
import StudioData
import StudioEvaluation
import StudioModels
import StudioTensor

/// One set of clips of one class as the judge panel sees it.
public struct PanelRecognition: Sendable, Codable {
    /// Clips judged.
    public let clips: Int
    /// Each judge's recognition (share of clips it calls this class), in panel order.
    public let byJudge: [Double]
    /// The median, lowest and highest of `byJudge`.
    public let median: Double, lowest: Double, highest: Double
    /// Clips that more than half of the judges call this class, with the Wilson 95% interval.
    public let majority: WilsonInterval
}

/// One class of a run as the panel sees it: generated clips beside the real held-out clips, so the
/// panel's disagreement on generated clips can be read against its disagreement on real ones.
public struct PanelClassVerdict: Sendable, Codable {
    /// The class and whether the GAN was denied it.
    public let name: String, unseen: Bool
    /// Generated (the evaluation's samples) and real held-out clips.
    public let generated: PanelRecognition, realHeldOut: PanelRecognition
}

/// A panel member as the verdict names it.
public struct PanelJudgeReport: Sendable, Codable {
    /// Member name, network and checkpoint.
    public let name: String, architecture: String, widths: [Int], path: String
    /// Accuracy on every real held-out clip (held-out speakers), which the member never trained or
    /// stopped on.
    public let heldOutAccuracy: Double
}

/// `studio evaluate`'s panel verdict for one run.
public struct PanelVerdict: Sendable, Codable {
    /// The judges, in panel order.
    public let judges: [PanelJudgeReport]
    /// Per class rendered.
    public let classes: [PanelClassVerdict]

    /// Scores a run's drawn samples (label, images) and the held-out data by every judge.
    static func score(
        _ drawn: [(label: Int, images: Tensor)], unseen: [Int], panel: [JudgePanel.Judge], test: ClassificationData
    ) -> PanelVerdict {
        let realPredictions = panel.map { ClassifierEvaluation.predictions($0.model, data: test) }
        let judges = zip(panel, realPredictions).map { judge, predicted in
            PanelJudgeReport(
                name: judge.member.name, architecture: judge.member.architecture.rawValue,
                widths: judge.member.widths, path: judge.path,
                heldOutAccuracy: Double(zip(predicted, test.labels).filter { $0 == $1 }.count)
                    / Double(max(test.count, 1)))
        }
        let classes = drawn.map { label, images -> PanelClassVerdict in
            let generated = panel.map { judge -> [Int] in
                judge.model.setTraining(false)
                return stride(from: 0, to: images.shape[0], by: 128).flatMap { start in
                    judge.model.logits(images.slice(axis: 0, start..<min(start + 128, images.shape[0]))).argmaxRows()
                }
            }
            let realRows = (0..<test.count).filter { test.labels[$0] == label }
            let real = realPredictions.map { predicted in realRows.map { predicted[$0] } }
            return PanelClassVerdict(
                name: test.classNames[label], unseen: unseen.contains(label),
                generated: recognition(generated, label: label), realHeldOut: recognition(real, label: label))
        }
        return PanelVerdict(judges: judges, classes: classes)
    }

    /// `predictions[judge][clip]` summarised for `label`.
    static func recognition(_ predictions: [[Int]], label: Int) -> PanelRecognition {
        let clips = predictions.first?.count ?? 0
        let byJudge = predictions.map { row in
            clips == 0 ? 0 : Double(row.filter { $0 == label }.count) / Double(clips)
        }
        let majority = (0..<clips).filter { clip in
            2 * predictions.filter { $0[clip] == label }.count > predictions.count
        }.count
        let sorted = byJudge.sorted()
        return PanelRecognition(
            clips: clips, byJudge: byJudge, median: DistributionSummary(byJudge).median ?? 0,
            lowest: sorted.first ?? 0, highest: sorted.last ?? 0,
            majority: WilsonInterval(successes: majority, trials: clips))
    }
}
