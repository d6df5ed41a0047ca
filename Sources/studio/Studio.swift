import ArgumentParser
import CSystem
import Foundation
import StudioExperiments
import StudioPipelines

/// The `studio` command: probe what a trained classifier has memorised about a class it never saw.
@main
struct Studio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Spectrogram Studio: ask a trained audio (or image) classifier what it has memorised.",
        discussion: """
            Audio is analysed as 16 kHz log-mel spectrograms (fftSize 1024, hop 256, 64 mel bands) and \
            rendered back to WAV with NNLS + fast Griffin-Lim. Start with `studio train --unseen women`, then \
            `studio render --run FOLDER --class women`.

            Seeds: `--seed` defaults to 0 in every command and draws only that command's random numbers;             `studio corpus build --corpus-seed` names which corpus (1, the default corpus).

            Exit codes: 0 success; 1 error (the message names the file, flag, checkpoint or run folder and a \
            way out; nothing is overwritten); 64 usage error (a bad or missing flag); 130 interrupted by \
            Ctrl-C or SIGTERM after writing a checkpoint (the message prints the command that continues).
            """,
        version: "0.1.0",
        subcommands: [
            TrainCommand.self, RenderCommand.self, ExploreCommand.self, EvaluateCommand.self, ReportCommand.self,
            ExperimentCommand.self,
            ListeningTestCommand.self,
            AudioCommand.self,
            CorpusCommand.self,
            ClassifierCommand.self,
            LibrariesCommand.self,
        ]
    )

    /// Line-buffered standard output, so log lines reach a file or a pipe as they happen.
    static func main() {
        studio_line_buffer_stdout()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as RunError {
            // Ctrl-C after a checkpoint: the conventional status of an interrupted program.
            if case .interrupted = error {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                Foundation.exit(130)
            }
            exit(withError: error)
        } catch let error as ExperimentError {
            if case .interrupted = error {
                let command = (["studio"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
                FileHandle.standardError.write(Data((error.description + "\nContinue with: \(command)\n").utf8))
                Foundation.exit(130)
            }
            exit(withError: error)
        } catch {
            exit(withError: error)
        }
    }
}

/// `argument` as one shell word (quoted only when it needs to be).
private func shellQuoted(_ argument: String) -> String {
    let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@+".contains($0) }
    return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
