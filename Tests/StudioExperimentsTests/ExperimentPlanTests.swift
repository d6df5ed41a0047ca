import Foundation
import StudioPipelines
import Testing

@testable import StudioExperiments

/// An experiment's plan: prepare, its classifiers, then every arm of every replicate, each arm after
/// the classifier it probes, named as the runner names the arms' run folders.
@Suite("Experiment plan")
struct ExperimentPlanTests {
    @Test func unitsPrepareThenClassifiersThenEveryArmOfEveryReplicate() {
        var settings = ExperimentSettings(corpus: "/corpus", cacheFolder: "/cache", outputFolder: "/x", target: "women")
        settings.replicates = 2
        settings.ganSeed = 4
        settings.jobs = 2
        let plan = UnitPlan(experiment: "marker", layout: MarkerExperiment.layout, settings: settings, inputs: "a")
        #expect(
            plan.units.map(\.name) == [
                "prepare", "classifier-marked", "classifier-clean", "memory", "clean", "violation", "memory-seed5",
                "clean-seed5", "violation-seed5",
            ])
        #expect(plan.units.map(\.index) == Array(0..<9))
        #expect(plan.units.map(\.after) == [[], [0], [0], [1], [2], [2], [1], [2], [2]])
        #expect(plan.units(.run).count == 6 && plan.name == "marker" && plan.jobs == 2)
        let arm = ExperimentArm(
            name: "memory", title: "", ganData: "", ganVariant: nil, method: .probegan, classifierPath: "",
            absenceViolated: false)
        #expect(ExperimentRunner.replicated([arm], settings).map(\.name) == ["memory", "memory-seed5"])
        let spurious = UnitPlan(
            experiment: "spurious", layout: SpuriousExperiment.layout, settings: settings, inputs: "a")
        #expect(spurious.units.map(\.after).suffix(2) == [[1], [2]])
    }
}
