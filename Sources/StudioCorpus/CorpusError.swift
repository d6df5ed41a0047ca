/// Everything that can go wrong with corpora; each case names the culprit and a way out.
public enum CorpusError: Error, Equatable, CustomStringConvertible {
    /// The folder does not exist.
    case folderNotFound(path: String)
    /// The folder has no class sub-folders with audio in them.
    case noClasses(path: String)
    /// A class folder holds no readable audio file.
    case emptyClass(name: String, path: String)
    /// Class names asked for that the corpus does not have.
    case unknownClasses(names: [String], available: [String])
    /// A manifest CSV is malformed.
    case badManifest(path: String, line: Int, reason: String)
    /// A step of the default corpus build failed.
    case buildFailed(step: String, reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .folderNotFound(let path):
            return
                "\(path): no such folder; give a folder with one sub-folder per class (optionally under train/ and test/)"
        case .noClasses(let path):
            return
                "\(path): no class folders with audio found; expected \(path)/CLASS/*.wav (or train/CLASS, test/CLASS)"
        case .emptyClass(let name, let path):
            return "class '\(name)' (\(path)) holds no audio files; add clips or remove the folder"
        case .unknownClasses(let names, let available):
            return
                "unknown class name(s) \(names.joined(separator: ", ")); this corpus has: \(available.joined(separator: ", "))"
        case .badManifest(let path, let line, let reason):
            return "\(path):\(line): \(reason); the manifest needs path, class and speaker columns"
        case .buildFailed(let step, let reason):
            return "building the default corpus failed at \(step): \(reason)"
        }
    }
}
