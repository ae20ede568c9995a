import Foundation
import Testing
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `tally serve` child process on a free port, restartable, killable and stoppable by signal.
///
/// Shared by the crash, re-send, shutdown, broker and disk fault tests. Every wait is bounded, and
/// a process still running when the object goes away is killed, so a failing test never leaves a
/// server behind.
final class ServerProcess: @unchecked Sendable {
    let binary: String
    let baseArguments: [String]
    /// Where the child's stderr (its log) is appended across restarts; nil inherits the test's.
    let logPath: String?
    let logLevel: String
    /// The consumer group of every start; nil gives each start a fresh one.
    let group: String?
    private(set) var port = 0
    private var process: Process?
    private var logHandle: FileHandle?

    init(binary: String, arguments: [String], logPath: String? = nil, logLevel: String = "warning", group: String? = nil) {
        self.binary = binary
        self.baseArguments = arguments
        self.logPath = logPath
        self.logLevel = logLevel
        self.group = group
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? logHandle?.close()
    }

    func start() throws {
        port = Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // A fresh group per start joins at once instead of waiting out the killed member's session;
        // it also shows that Kafka's committed offsets play no part: Tally resumes from its store.
        process.arguments = baseArguments + ["--http", "127.0.0.1:\(port)", "--log-level", logLevel, "--group", group ?? "test-\(UUID().uuidString)"]
        process.standardOutput = FileHandle.nullDevice
        if let logPath {
            if logHandle == nil {
                _ = FileManager.default.createFile(atPath: logPath, contents: nil)
                logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            }
            try logHandle?.seekToEnd()
            process.standardError = logHandle
        }
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// The exit status once the process ended by `exit`; nil while running or after a signal.
    var exitStatus: Int32? {
        guard let process, !process.isRunning, process.terminationReason == .exit else { return nil }
        return process.terminationStatus
    }

    /// SIGKILL: no flush, no commit, no goodbye.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `signal` (SIGSTOP and SIGCONT starve and revive it); false when it is not running.
    func signal(_ signal: Int32) -> Bool {
        guard let process, process.isRunning else { return false }
        return kill(process.processIdentifier, signal) == 0
    }

    /// Sends SIGTERM and returns at once; see `waitForExit`.
    func sendTerm() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
    }

    /// Waits up to `timeout` for the process to end; true when it did.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return !isRunning
    }

    /// SIGTERM, then SIGKILL if it has not ended within 10 s. Safe to call in `defer`.
    func terminate() {
        guard let process, process.isRunning else { return }
        process.terminate()
        for _ in 0..<1000 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits until /healthz answers and returns the port.
    func waitForHTTPPort() async throws -> Int {
        for _ in 0..<100 {
            if let url = URL(string: "http://127.0.0.1:\(port)/healthz"),
               let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 {
                return port
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("tally serve did not answer on port \(port)")
        throw CancellationError()
    }

    /// The lines logged so far (empty without a log file).
    func logLines() -> [String] {
        guard let logPath, let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func freePort() -> Int { FreePort.next() }
}

/// Fetches a report over HTTP and converts the JSON into the oracle's form.
enum HTTPFetch {
    static func report(port: Int, secret: String, reportId: String, body: String) async throws -> ReportOracle.Expected {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/report/\(reportId)/fetch")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        try #require((response as? HTTPURLResponse)?.statusCode == 200, "HTTP \(String(decoding: data, as: UTF8.self))")
        return expected(json: try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    /// A report's JSON in the oracle's form.
    static func expected(json: [String: Any]) -> ReportOracle.Expected {
        func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }
        let breakdown = (json["breakdown"] as? [[String: Any]] ?? []).map {
            ReportOracle.Breakdown(date: $0["date"] as? String ?? "", total: number($0["total"]))
        }
        // A heatmap is kept only when present, so a report that should have none and has one fails.
        let heatmap = (json["heatmap"] as? [[NSNumber]]).map { $0.map { $0.map(\.intValue) } }
        // So are the conversation reports' percentiles, count and depth buckets.
        let percentiles = (json["percentiles"] as? [String: NSNumber]).map { $0.mapValues(\.doubleValue) }
        let buckets = (json["buckets"] as? [[String: Any]]).map {
            $0.map { ReportOracle.Bucket(bucket: $0["bucket"] as? String ?? "", total: ($0["total"] as? NSNumber)?.intValue ?? -1) }
        }
        return ReportOracle.Expected(value: number(json["value"]), change: number(json["change"]),
                                     period: json["period"] as? String ?? "", breakdown: breakdown, heatmap: heatmap,
                                     percentiles: percentiles, count: (json["count"] as? NSNumber)?.intValue, buckets: buckets)
    }

    /// The HTTP status of `GET /api/v1/platform/report/list` with `secret`: 200 for a working key.
    static func status(port: Int, secret: String) async throws -> Int? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/platform/report/list")!)
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// `GET /healthz`: the HTTP status and the decoded body.
    static func health(port: Int) async throws -> (status: Int, body: HealthBody) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, HealthBody(json: json))
    }
}

/// The parts of `/healthz` the fault tests read.
struct HealthBody: Sendable {
    struct Partition: Sendable, Hashable {
        var topic: String
        var partition: Int32
        var committedOffset: Int64
        var highWatermark: Int64?
    }

    var caughtUp: Bool
    var state: String
    var duplicates: Int64
    var eventsCounted: Int64
    var lastError: String?
    var partitions: [Partition]
    /// `ingest.assignment`: `pending`, `complete`, `partial` or `unknown`, with partitions as `topic[n]`.
    var assignmentState: String
    var assigned: [String]
    var missing: [String]

    init(json: [String: Any]) {
        let ingest = json["ingest"] as? [String: Any] ?? [:]
        func int(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
        caughtUp = (json["caughtUp"] as? Bool) ?? false
        state = ingest["state"] as? String ?? ""
        duplicates = int(ingest["duplicates"]) ?? -1
        eventsCounted = int(ingest["eventsCounted"]) ?? -1
        lastError = ingest["lastError"] as? String
        let assignment = ingest["assignment"] as? [String: Any] ?? [:]
        assignmentState = assignment["state"] as? String ?? ""
        assigned = assignment["assigned"] as? [String] ?? []
        missing = assignment["missing"] as? [String] ?? []
        partitions = (ingest["partitions"] as? [[String: Any]] ?? []).map {
            Partition(topic: $0["topic"] as? String ?? "", partition: Int32(int($0["partition"]) ?? -1),
                      committedOffset: int($0["committedOffset"]) ?? -1, highWatermark: int($0["highWatermark"]))
        }
    }

    /// The sum of the committed offsets of every assigned partition.
    var committedTotal: Int64 { partitions.reduce(0) { $0 + $1.committedOffset } }
}
