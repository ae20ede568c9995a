import Foundation
import Logging
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fault-injection tests of "Event-sourcing durability": re-sent events, graceful shutdown,
/// broker restart and disk errors.
///
/// They run one after another, not beside each other: each starts servers, brokers or mounts and
/// measures timings (exit within 5 s, log lines per outage) that a neighbour hogging the two cores
/// would distort. Each suite lives in its own file as an extension of this one.
@Suite("Fault injection", .serialized)
enum FaultInjectionTests {}

/// Short runs inside `tools/test`, long ones under `tools/chaos` (`TALLY_CHAOS_LONG=1`).
enum ChaosMode {
    static var isLong: Bool { ProcessInfo.processInfo.environment["TALLY_CHAOS_LONG"] == "1" }

    /// `name` from the environment when set, else the short or long default.
    static func integer(_ name: String, short: Int, long: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? (isLong ? long : short)
    }
}

/// A private Tansu broker on its own port, for tests that must stop and restart the broker without
/// disturbing the shared one. Tansu keeps topics in memory, so a restart starts from empty logs.
final class BrokerProcess: @unchecked Sendable {
    let binary: String
    let port: Int
    let logPath: String
    private var process: Process?

    var address: String { "127.0.0.1:\(port)" }

    /// The Tansu binary from `TALLY_TANSU`, which `tools/test` and `tools/chaos` export.
    static func tansuBinary() throws -> String {
        let path = try #require(ProcessInfo.processInfo.environment["TALLY_TANSU"].flatMap { $0.isEmpty ? nil : $0 },
                                "TALLY_TANSU is not set: run the suite through tools/test, which exports the Tansu broker binary")
        try #require(FileManager.default.isExecutableFile(atPath: path), "TALLY_TANSU=\(path) is not an executable file; run tools/setup")
        return path
    }

    init(binary: String, port: Int = ServerProcess.freePort(), logPath: String) {
        self.binary = binary
        self.port = port
        self.logPath = logPath
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the broker and waits (at most 30 s: a loaded 2-core machine can be slow to start one)
    /// until it accepts connections.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)"]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if Self.accepts(port: port) { return }
            try #require(process.isRunning, "tansu exited at start: \(String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self))")
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("tansu did not listen on \(address) within 30 s: \(String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self).suffix(2000))")
        throw CancellationError()
    }

    /// SIGTERM, then SIGKILL after 3 s. Returns true when SIGKILL was needed. Safe in `defer`.
    @discardableResult
    func stop() -> Bool {
        guard let process, process.isRunning else { return false }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return killed
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Which event sits at which offset of which partition, read back from the broker.
///
/// The partitioner and any producer retry decide the real order, so instead of predicting it the
/// test consumes the topics once and maps each message back to the event it was produced from, by
/// its exact bytes. With it, "the events below the store's offsets" is known exactly, which is what
/// lets a test check a store at an arbitrary batch boundary against the oracle.
struct TopicLedger {
    /// Per partition, the events in offset order (fresh topics start at 0).
    private(set) var partitions: [TopicPartition: [Event]] = [:]

    /// Consumes `ends` (each partition up to its end offset) and maps every message to its event.
    static func read(brokers: String, topics: [String], ends: [TopicPartition: Int64], events: [Event],
                     timeout: Duration = .seconds(60)) async throws -> TopicLedger {
        var byBytes: [[UInt8]: Event] = [:]
        byBytes.reserveCapacity(events.count)
        for event in events { byBytes[EventEncoder.json(event)] = event }
        let consumer = try KafkaConsumer(brokers: brokers, group: "ledger-\(UUID().uuidString)", logger: Logger(label: "ledger"))
        defer { consumer.close() }
        try consumer.subscribe(topics)
        var ledger = TopicLedger()
        var next: [TopicPartition: Int64] = [:]
        let deadline = ContinuousClock.now + timeout
        while !ends.allSatisfy({ next[$0.key, default: 0] >= $0.value }) {
            guard ContinuousClock.now < deadline else {
                Issue.record("reading the topics back did not finish within \(timeout): at \(next), want \(ends)")
                throw CancellationError()
            }
            guard case .message(let message)? = consumer.poll(timeoutMilliseconds: 100) else { continue }
            let partition = TopicPartition(topic: message.topic, partition: message.partition)
            try #require(message.offset == Int64(ledger.partitions[partition, default: []].count),
                         "\(partition): offset \(message.offset) out of sequence")
            let event = try #require(byBytes[message.value ?? []], "\(partition)@\(message.offset) is not an event the test produced")
            ledger.partitions[partition, default: []].append(event)
            next[partition] = message.offset + 1
        }
        return ledger
    }

    /// The events at offsets below `offsets` in every partition: what a store at those offsets holds.
    func events(below offsets: [TopicPartition: Int64]) -> [Event] {
        partitions.flatMap { partition, events in events.prefix(Int(offsets[partition] ?? 0)) }
    }
}

/// Compares reports with the oracle, through a store or over HTTP, and describes every mismatch.
enum ReportCheck {
    /// One report of each kind of metric (a counter, both distinct-contact forms, the message
    /// counter and an average), for checks over large streams where the whole catalog × every
    /// tenant would cost the oracle minutes in a debug build.
    static let representative = ["clr3m5n8k000008jq7h9e5b1a", "clr3m5n8k000308jq1h7i8j4d", "clr3m5n8k000408jq9i8j9k5e",
                                 "clr3m5n8k000608jq3k0l1m7g", "clr3m5n8k000d08jqt4l7y2c9"].compactMap(ReportCatalog.report(id:))

    /// Every report of the catalog for `tenants` × `periods` ending on `end`, read from `store`.
    static func mismatches(store: TallyStore, oracle: ReportOracle, tenants: [String], periods: [Int] = [7, 30],
                           reports: [ReportDefinition] = ReportCatalog.all, end: Day) throws -> [String] {
        var found: [String] = []
        for tenant in tenants {
            for periodDays in periods {
                for report in reports {
                    let actual = ReportOracle.Expected(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end)))
                    let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
                    if !(expected.map(actual.agrees(with:)) ?? false) { found.append("\(report.name) \(tenant) \(periodDays)d: got \(actual), want \(expected.map(\.description) ?? "nil")") }
                }
            }
        }
        return found
    }

    /// The same over HTTP, from a running `tally serve`.
    static func mismatches(port: Int, secret: String, oracle: ReportOracle, tenants: [String], periods: [Int] = [7, 30],
                           reports: [ReportDefinition] = ReportCatalog.all, end: Day) async throws -> [String] {
        var found: [String] = []
        for tenant in tenants {
            for periodDays in periods {
                for report in reports {
                    let actual = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id,
                                                            body: fetchBody(tenant: tenant, periodDays: periodDays, end: end))
                    let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
                    if !(expected.map(actual.agrees(with:)) ?? false) { found.append("\(report.name) \(tenant) \(periodDays)d over HTTP: got \(actual), want \(expected.map(\.description) ?? "nil")") }
                }
            }
        }
        return found
    }

    /// A fetch body with an explicit end date, so a run that crosses midnight UTC still compares like with like.
    static func fetchBody(tenant: String, periodDays: Int, end: Day) -> String {
        #"{"userId":"\#(tenant)","periodDays":\#(periodDays),"endDate":"\#(end.iso)"}"#
    }
}

/// A tmpfs mounted on a fresh directory, for disk-full and read-only scenarios. Needs root (the
/// test machines and CI run as root); failing to mount is a test failure, never a skip.
final class TmpfsMount: @unchecked Sendable {
    let path: String
    private var mounted = false

    /// Mounts a tmpfs of `sizeKiB` at a fresh directory; `readOnly` mounts it read-only.
    init(label: String, sizeKiB: Int, readOnly: Bool = false) throws {
        path = TestEnvironment.temporaryDirectory(label)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let options = "size=\(sizeKiB)k,mode=0755" + (readOnly ? ",ro" : "")
        let result = Self.run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path])
        try #require(result.status == 0, """
            cannot mount a \(sizeKiB) KiB tmpfs at \(path) (\(result.output)): the disk-error tests need root \
            and permission to mount (a privileged container); they do not skip
            """)
        mounted = true
    }

    deinit { unmount() }

    /// Changes the mount's options in place, e.g. `size=64m` or `ro`; the files stay.
    func remount(_ options: String) throws {
        let result = Self.run("mount", ["-o", "remount,\(options)", path])
        try #require(result.status == 0, "remount \(path) with \(options) failed: \(result.output)")
    }

    /// Unmounts (lazily if still busy) and removes the directory. Idempotent; safe in `defer`.
    func unmount() {
        guard mounted else { return }
        if Self.run("umount", [path]).status != 0 { _ = Self.run("umount", ["-l", path]) }
        mounted = false
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs a tool found on PATH to completion and returns its status and combined output.
    static func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

extension TestEnvironment {
    /// Polls `/healthz` until `condition` holds; returns the body that satisfied it, or records
    /// `failure` with the last body seen and throws after `timeout`.
    static func waitForHealth(port: Int, timeout: Duration, _ failure: String,
                              until condition: (HealthBody) -> Bool) async throws -> HealthBody {
        let deadline = ContinuousClock.now + timeout
        var last: HealthBody?
        while ContinuousClock.now < deadline {
            if let (status, body) = try? await HTTPFetch.health(port: port), status == 200 {
                if condition(body) { return body }
                last = body
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(failure) within \(timeout); last /healthz: \(last.map { "\($0)" } ?? "none")")
        throw CancellationError()
    }

    /// Creates an admin key in the settings store of `dataDirectory` and releases it again, so that
    /// the test holds no file open in it (a mount can then be unmounted).
    static func adminSecret(dataDirectory: String) throws -> String {
        try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
    }

    /// The committed offsets of the store, keyed by partition.
    static func committedOffsets(_ store: TallyStore) throws -> [TopicPartition: Int64] {
        Dictionary(uniqueKeysWithValues: try store.consumedOffsets().map {
            (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
        })
    }
}
