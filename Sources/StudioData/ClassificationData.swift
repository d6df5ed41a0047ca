import StudioSupport
import StudioTensor

/// Labelled examples as one float array: `[N, C, H, W]` images in [-1, 1] and class indices.
public struct ClassificationData: Sendable {
    /// Inputs, row-major.
    public var inputs: [Float]
    /// Class index of each example.
    public var labels: [Int]
    /// Group of each example (the speaker, for speech): validation splits keep groups whole.
    public var groups: [String]
    /// Class names, indexed by label.
    public let classNames: [String]
    /// Layout of one example.
    public let channels: Int, height: Int, width: Int
    /// What one example is (the audio frontend, or the image data set and its scaling), recorded by
    /// every classifier and run made from these examples; `nil` when the maker did not say.
    public var representation: String?

    /// Wraps examples; every array must agree in count.
    public init(
        inputs: [Float], labels: [Int], groups: [String]? = nil, classNames: [String], channels: Int, height: Int,
        width: Int, representation: String? = nil
    ) {
        precondition(
            inputs.count == labels.count * channels * height * width,
            "ClassificationData: \(inputs.count) floats for \(labels.count) examples")
        self.inputs = inputs
        self.labels = labels
        self.groups = groups ?? labels.map { "\($0)" }
        self.classNames = classNames
        self.channels = channels
        self.height = height
        self.width = width
        self.representation = representation
    }

    /// Number of examples.
    public var count: Int { labels.count }
    /// Floats per example.
    public var exampleSize: Int { channels * height * width }

    /// The examples at `indices`, as a batch tensor and labels.
    public func batch(_ indices: [Int]) -> (Tensor, [Int]) {
        var values = [Float]()
        values.reserveCapacity(indices.count * exampleSize)
        for index in indices { values += inputs[(index * exampleSize)..<((index + 1) * exampleSize)] }
        return (Tensor(shape: [indices.count, channels, height, width], scalars: values), indices.map { labels[$0] })
    }

    /// The examples at `indices` as a new data set.
    public func subset(_ indices: [Int]) -> ClassificationData {
        var values = [Float]()
        for index in indices { values += inputs[(index * exampleSize)..<((index + 1) * exampleSize)] }
        return ClassificationData(
            inputs: values, labels: indices.map { labels[$0] }, groups: indices.map { groups[$0] },
            classNames: classNames, channels: channels, height: height, width: width, representation: representation)
    }

    /// Splits off about `fraction` of the groups (per class) as validation data; whole groups go to
    /// one side, so a speaker's clips never sit on both.
    public func splitByGroup(validationFraction fraction: Double, seed: UInt64) -> (
        train: ClassificationData, validation: ClassificationData
    ) {
        var random = SplitMix64(seed: seed)
        var validationGroups = Set<String>()
        for label in Set(labels).sorted() {
            var classGroups = Array(Set((0..<count).filter { labels[$0] == label }.map { groups[$0] })).sorted()
            classGroups.shuffle(using: &random)
            let take = max(1, Int((Double(classGroups.count) * fraction).rounded()))
            // A class with a single group (images without speakers use the label) splits by example.
            if classGroups.count > 1 {
                validationGroups.formUnion(classGroups.prefix(min(take, classGroups.count - 1)))
            }
        }
        var train = [Int]()
        var validation = [Int]()
        for index in 0..<count {
            if validationGroups.contains(groups[index]) {
                validation.append(index)
            } else if !validationGroups.isEmpty || Double(random.next() % 1000) / 1000 >= fraction {
                train.append(index)
            } else {
                validation.append(index)
            }
        }
        return (subset(train), subset(validation))
    }
}
