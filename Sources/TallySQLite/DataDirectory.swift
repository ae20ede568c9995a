import Foundation

/// The directory that holds a Tally instance's stores, created on first use by whichever store
/// opens first.
public enum DataDirectory {
    /// Why a data directory could not be created, in the operator's terms.
    public struct CreationError: Error, Sendable {
        public var reason: String
    }

    /// Creates `path` and its missing parents; an existing directory is fine.
    public static func create(_ path: String) throws(CreationError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CreationError(reason: reason(creating: path, error))
        }
    }

    /// Foundation's own message for a path below a regular file is a bare "error 512", so the
    /// first existing ancestor is looked at to say what is actually wrong.
    private static func reason(creating path: String, _ error: any Error) -> String {
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while ancestor.path != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "'\(ancestor.path)' is a file, not a directory" }
                if !FileManager.default.isWritableFile(atPath: ancestor.path) { return "'\(ancestor.path)' is not writable" }
                break
            }
            ancestor.deleteLastPathComponent()
        }
        return error.localizedDescription
    }
}
