import Foundation
import StudioNN
import Testing

/// `studio classifier panel --plan | --unit K | --jobs`: the judge panel as units for a scheduler
/// gives the same judges (weights and scores) as the one-machine command.
@Suite struct ClassifierPanelUnitsTests {
    @Test func panelAsUnitsGivesTheSameJudges() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try TrainCommandTests.makeDataset(at: data)
        func panel(cache: String) -> [String] {
            [
                "classifier", "panel", "--modality", "image", "--dataset", "folder", "--data", data.path, "--epochs",
                "1",
                "--cache", folder.appendingPathComponent(cache).path,
            ]
        }
        let two = ["STUDIO_THREADS": "2"]
        let whole = try StudioCommandRunner.run(panel(cache: "whole"), environment: two)
        #expect(whole.status == 0, "\(whole.stderr)")
        func scores(_ output: String) -> [String] {
            output.split(separator: "\n").map(String.init).filter { $0.contains("held-out examples") }
        }
        #expect(scores(whole.stdout).count == 5, "\(whole.stdout)")

        let plan = folder.appendingPathComponent("plan").path
        let byUnits = panel(cache: "units") + ["--out", plan]
        let planned = try StudioCommandRunner.run(byUnits + ["--plan"], environment: two)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("unit 5: judge (after 0), 2 engine thread(s)"), "\(planned.stdout)")
        let early = try StudioCommandRunner.run(byUnits + ["--unit", "2"], environment: two)
        #expect(early.status != 0 && early.stderr.contains("needs unit(s) 0 (prepare)"), "\(early.stderr)")
        let noFolder = try StudioCommandRunner.run(panel(cache: "units") + ["--unit", "0"])
        #expect(noFolder.status != 0 && noFolder.stderr.contains("pass --out FOLDER"), "\(noFolder.stderr)")
        for unit in 0..<6 {
            let ran = try StudioCommandRunner.run(byUnits + ["--unit", "\(unit)"], environment: two)
            #expect(ran.status == 0 && ran.stdout.contains("unit \(unit) of"), "unit \(unit): \(ran.stderr)")
        }
        let final = try StudioCommandRunner.run(panel(cache: "units"), environment: two)
        #expect(final.status == 0 && !final.stdout.contains("training"), "\(final.stdout)")
        #expect(scores(final.stdout) == scores(whole.stdout))
        // Two judges at once on one thread each: the same panel, in its own cache.
        let atOnce = try StudioCommandRunner.run(panel(cache: "at-once") + ["--jobs", "2"], environment: two)
        #expect(atOnce.status == 0 && atOnce.stdout.contains("training 2 judges at once"), "\(atOnce.stderr)")
        #expect(scores(atOnce.stdout).count == 5, "\(atOnce.stdout)")
        let judges = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("whole/classifiers").path
        ).filter { $0.hasSuffix(".safetensors") }
        #expect(judges.count == 5, "\(judges)")
        for name in judges {
            let a = try Checkpoint.read(from: folder.appendingPathComponent("whole/classifiers/\(name)").path)
            let b = try Checkpoint.read(from: folder.appendingPathComponent("units/classifiers/\(name)").path)
            #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
            #expect(a.tensors.allSatisfy { b.tensors[$0.key]?.scalars == $0.value.scalars }, "\(name) differs")
        }
    }
}
