import Foundation

/// The project's real SMTP server for tests (`tools/smtp-sink`: Python's aiosmtpd in `.venv`), on
/// a free loopback port, writing every accepted message to a directory. Stopping it, or the
/// object going away, ends the process.
public final class SMTPSink: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private let process: Process

    /// Starts the server; recipients matching one of `rejecting` (fnmatch patterns) get 550.
    /// `delayMilliseconds` delays the answer to each message's data (a slow server).
    public init(rejecting: [String] = [], port given: Int? = nil, delayMilliseconds: Int = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = given ?? FreePort.next()
        let ready = directory.appendingPathComponent(".ready")
        process = Process()
        process.executableURL = VenvPython.repositoryRoot.appendingPathComponent(".venv/bin/python")
        process.arguments = [VenvPython.tool("smtp-sink"), "--port", "\(port)", "--dir", directory.appendingPathComponent("mail").path,
                             "--ready-file", ready.path, "--delay-ms", "\(delayMilliseconds)"] + rejecting.flatMap { ["--reject", $0] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw VenvPython.Failure(description: "tools/smtp-sink did not start on port \(port)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL if it is still running after 5 s.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The `.eml` files received so far, oldest first.
    public func messages() -> [URL] {
        let mail = directory.appendingPathComponent("mail")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []
        return names.filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.sorted().map { mail.appendingPathComponent($0) }
    }
}
