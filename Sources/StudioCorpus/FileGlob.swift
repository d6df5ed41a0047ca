import Foundation

/// Finds files under a root by glob patterns with `*`, `?` and `**` (any run of folders).
enum FileGlob {
    /// Files matching `pattern` (relative to `root`), sorted by path.
    static func files(under root: String, matching pattern: String) -> [String] {
        // Walk from the longest folder prefix without wildcards.
        let components = pattern.split(separator: "/").map(String.init)
        let fixed = components.prefix { !$0.contains("*") && !$0.contains("?") }
        let base = URL(fileURLWithPath: root).appendingPathComponent(fixed.joined(separator: "/"))
        guard let regex = try? NSRegularExpression(pattern: "^" + regexBody(pattern) + "$") else { return [] }
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var matches = [String]()
        let prefix = fixed.isEmpty ? "" : fixed.joined(separator: "/") + "/"
        while let relative = enumerator.nextObject() as? String {
            let candidate = prefix + relative
            let range = NSRange(candidate.startIndex..., in: candidate)
            guard regex.firstMatch(in: candidate, range: range) != nil else { continue }
            var isDirectory: ObjCBool = false
            let full = base.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                matches.append(full)
            }
        }
        return matches.sorted()
    }

    /// The regular expression for a glob: `**/` any folders (or none), `*` anything but `/`, `?` one character.
    static func regexBody(_ pattern: String) -> String {
        var out = ""
        var characters = Array(pattern)[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            switch character {
            case "*":
                if characters.first == "*" {
                    characters = characters.dropFirst()
                    if characters.first == "/" {
                        characters = characters.dropFirst()
                        out += "(?:.*/)?"
                    } else {
                        out += ".*"
                    }
                } else {
                    out += "[^/]*"
                }
            case "?": out += "[^/]"
            default: out += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return out
    }
}
