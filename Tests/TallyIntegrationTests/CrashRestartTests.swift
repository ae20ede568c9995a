import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `tally serve` binary, kills it with SIGKILL mid-stream several times, restarts it,
/// and checks over HTTP that every report is still exactly the oracle's: nothing lost, nothing twice.
@Suite("Crash and restart", .serialized)
struct CrashRestartTests {
    @Test("kill -9 during ingest, restart, and the counts served over HTTP are still exact")
    func killNineAndRestart() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("crash")
        let dataDirectory = TestEnvironment.temporaryDirectory("crash")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 99, tenants: 4, days: 35, endDay: end, total: 40_000))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 3)
        let store = try TallyStore(dataDirectory: dataDirectory)
        let secret = try store.createKey(name: "test", role: .admin, userId: nil).secret

        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","),
            "--data-dir", dataDirectory, "--batch-size", "2000", "--batch-ms", "50",
        ])
        // Produce in the background while the server is repeatedly started and SIGKILLed.
        let done = DoneFlag()
        let producing = Task.detached {
            defer { done.set() }
            var ends: [TopicPartition: Int64] = [:]
            for start in stride(from: 0, to: events.count, by: 2_000) {
                let slice = events[start..<min(events.count, start + 2_000)]
                ends.merge(try TestEnvironment.produce(slice, to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
                try await Task.sleep(for: .milliseconds(1_200))
            }
            return ends
        }
        var random = SeededRandom(seed: 4)
        var kills = 0
        var midStreamKills = 0
        var lastCommitted: Int64 = 0
        while kills < 4 || !done.isSet {
            try server.start()
            try await Task.sleep(for: .milliseconds(random.int(in: 3_000...7_000)))
            server.kill9()
            kills += 1
            let committed = try store.consumedOffsets().reduce(0) { $0 + $1.nextOffset }
            if committed > lastCommitted, committed < Int64(events.count) { midStreamKills += 1 }
            lastCommitted = committed
            if kills >= 20 { break }
        }
        let ends = try await producing.value
        try server.start()
        defer { server.terminate() }
        try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
        print("crash-restart: \(kills) SIGKILLs, \(midStreamKills) while ingest was mid-stream, \(events.count) events")
        #expect(midStreamKills >= 2, "too few kills landed while ingest was making progress")
        #expect(ends.values.reduce(0, +) == Int64(events.count))

        let port = try await server.waitForHTTPPort()
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-4"] {
            for periodDays in [7, 30] {
                for report in ReportCatalog.all {
                    let body = #"{"userId":"\#(tenant)","periodDays":\#(periodDays)}"#
                    let actual = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id, body: body)
                    let expected = try #require(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end))
                    #expect(actual == expected, "\(report.name) \(tenant) \(periodDays)d")
                }
            }
        }
    }
}

/// Set once by the producing task, read by the killing loop.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// A `tally serve` child process on a free port, restartable and killable.
final class ServerProcess: @unchecked Sendable {
    let binary: String
    let baseArguments: [String]
    private(set) var port = 0
    private var process: Process?

    init(binary: String, arguments: [String]) {
        self.binary = binary
        self.baseArguments = arguments
    }

    func start() throws {
        port = Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // A fresh group per start joins at once instead of waiting out the killed member's session;
        // it also shows that Kafka's committed offsets play no part: Tally resumes from its store.
        process.arguments = baseArguments + ["--http", "127.0.0.1:\(port)", "--log-level", "warning", "--group", "test-\(UUID().uuidString)"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// SIGKILL: no flush, no commit, no goodbye.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        guard let process, process.isRunning else { return }
        process.terminate()
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

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
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
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }
        let breakdown = (json["breakdown"] as? [[String: Any]] ?? []).map {
            ReportOracle.Breakdown(date: $0["date"] as? String ?? "", total: number($0["total"]))
        }
        return ReportOracle.Expected(value: number(json["value"]), change: number(json["change"]),
                                     period: json["period"] as? String ?? "", breakdown: breakdown)
    }
}
