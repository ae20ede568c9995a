import Foundation

/// Runs the project's `.venv` Python (installed by `tools/setup`) on one input file, for the
/// readers that Tally did not write: the csv module, html.parser, jsonschema, prometheus_client.
///
/// The input is written to a temporary file whose path goes between `leading` and `trailing`
/// arguments; the answer is the program's standard output. Standard error goes to a file rather
/// than a pipe, so a chatty program cannot block on a full pipe while its output is read.
public enum VenvPython {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func run(_ leading: [String], input: Data, trailing: [String] = []) throws -> Data {
        let python = repositoryRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw Failure(description: "\(python.path) is missing: run tools/setup") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("input")
        let errorFile = directory.appendingPathComponent("stderr")
        try input.write(to: file)
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else { throw Failure(description: "cannot create \(errorFile.path)") }
        let process = Process()
        process.executableURL = python
        process.arguments = leading + [file.path] + trailing
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let complaint = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "\(leading.first ?? "python") exited with \(process.terminationStatus): \(complaint)")
        }
        return answer
    }

    /// The path of a script in `tools/`.
    public static func tool(_ name: String) -> String { repositoryRoot.appendingPathComponent("tools/\(name)").path }
}
