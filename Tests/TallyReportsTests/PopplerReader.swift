import Foundation
import Testing

/// Reads PDFs back with poppler-utils (`pdfinfo`, `pdftotext`), readers Tally did not write. The
/// tools are found on `PATH`; the PDF goes through a temporary file removed afterwards.
enum PopplerReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `pdfinfo -isodates`'s fields: `Pages`, `Page size`, `Title`, `Creator`, `CreationDate`, ….
    static func info(_ pdf: [UInt8]) throws -> [String: String] {
        let text = try run("pdfinfo", ["-isodates"], pdf: pdf)
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The text of pages `first…last` (all when nil), laid out (`-layout`) or in drawing order (`-raw`).
    static func text(_ pdf: [UInt8], mode: String = "-layout", first: Int? = nil, last: Int? = nil) throws -> String {
        var arguments = [mode]
        if let first { arguments += ["-f", String(first)] }
        if let last { arguments += ["-l", String(last)] }
        return try run("pdftotext", arguments + ["-enc", "UTF-8"], pdf: pdf, output: "-")
    }

    /// The text of each page, page 1 first.
    static func pages(_ pdf: [UInt8]) throws -> [String] {
        let count = try #require(Int(try info(pdf)["Pages"] ?? ""), "pdfinfo gives a page count")
        return try (1...count).map { try text(pdf, first: $0, last: $0) }
    }

    static func executable(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure(description: "\(name) is not on PATH: install poppler-utils (tools/setup)")
    }

    private static func run(_ tool: String, _ arguments: [String], pdf: [UInt8], output: String? = nil) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Data(pdf).write(to: file)
        let process = Process()
        process.executableURL = try executable(tool)
        process.arguments = arguments + [file.path] + (output.map { [$0] } ?? [])
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let answer = out.fileHandleForReading.readDataToEndOfFile()
        let complaint = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) exited with \(process.terminationStatus): \(String(decoding: complaint, as: UTF8.self))")
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
