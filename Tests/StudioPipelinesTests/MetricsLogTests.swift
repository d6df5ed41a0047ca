import Foundation
import Testing

@testable import StudioPipelines

/// `metrics.jsonl` read back typed: both kinds of line, a line of an older version without a kind,
/// and the cut last line of a killed process; a resume keeps exactly the lines up to its iteration.
@Suite("Metrics log")
struct MetricsLogTests {
    static let lines = [
        #"{"dPenalty":0.5,"dTotal":1.25,"gClassification":0.75,"gTotal":2,"iteration":10,"kind":"iteration","seconds":1}"#,
        #"{"isBest":true,"iteration":10,"judgeRecognition":{"women":0.25},"kind":"evaluation","score":0.5,"#
            + #""seenDistance":{"men":3,"nonhuman":5},"seconds":2}"#,
        #"{"iteration":20,"score":0.75,"judgeRecognition":{"women":0.5},"isBest":false,"#
            + #""speechLikeness":{"women":0.5},"acoustics":{"men":{"f0Movement":2.5},"women":{"pitchedShare":1}}}"#,
        #"{"dTotal":1.0,"iteration":30,"kind":"iter"#,
    ]

    func write(_ lines: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("metrics.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsBothKindsAnOlderLineAndSkipsACutOne() throws {
        let records = MetricsLog.read(try write(Self.lines)).map(\.record)
        #expect(records.map(\.iteration) == [10, 10, 20])
        #expect(records.map(\.kind) == [.iteration, .evaluation, .evaluation])
        #expect(records[0].dTotal == 1.25 && records[0].gClassification == 0.75 && records[0].score == nil)
        #expect(records[1].seenDistance == ["men": 3, "nonhuman": 5] && records[1].isBest == true)
        #expect(records[2].judgeRecognition == ["women": 0.5] && records[2].seenDistance == nil)
        #expect(records[1].speechLikeness == nil && records[2].speechLikeness == ["women": 0.5])
        #expect(records[2].acoustics?["men"]?["f0Movement"] == 2.5)
        #expect(MetricsLog.read("/nonexistent/metrics.jsonl").isEmpty)
    }

    @Test func aResumeKeepsTheLinesUpToItsIterationVerbatim() throws {
        let path = try write(Self.lines)
        let folder = RunFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        try folder.truncateMetrics(after: 10)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == Self.lines[0] + "\n" + Self.lines[1] + "\n")
    }

    @Test func theReportTableListsEvaluationsOnly() throws {
        let table = RunReport.trajectory(metrics: try write(Self.lines))
        #expect(table.components(separatedBy: "<tr><td>").count == 3)
        #expect(
            table.contains(
                "<tr><td>10</td><td>0.500</td><td>4.00</td><td>-</td><td>-</td><td>women 0.25</td><td>yes</td></tr>"))
        #expect(
            table.contains(
                "<tr><td>20</td><td>0.750</td><td>-</td><td>women 0.50</td><td>men 2.50</td><td>women 0.50</td><td></td></tr>"
            ))
    }
}
