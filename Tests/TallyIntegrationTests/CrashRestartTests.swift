import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `tally serve` binary, kills it with SIGKILL mid-stream several times, restarts it,
/// and checks over HTTP that every report is still exactly the oracle's: nothing lost, nothing twice.
///
/// `tools/chaos` sets `TALLY_CHAOS_LONG=1` for at least 50 kills over 200 000 events, and
/// `tools/chaos --long` 200 kills; the rounds and the event count can also be set directly with
/// `TALLY_CRASH_ROUNDS` and `TALLY_CRASH_EVENTS`.
@Suite("Crash and restart", .serialized)
struct CrashRestartTests {
    @Test("kill -9 during ingest, restart, and the counts served over HTTP are still exact")
    func killNineAndRestart() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("crash")
        let dataDirectory = TestEnvironment.temporaryDirectory("crash")
        let end = TestEnvironment.today
        let rounds = ChaosMode.integer("TALLY_CRASH_ROUNDS", short: 4, long: 50)
        let total = ChaosMode.integer("TALLY_CRASH_EVENTS", short: 40_000, long: 200_000)
        let events = Array(TrafficGenerator(seed: 99, tenants: 4, days: 35, endDay: end, total: total))
        // Production is spread over about as long as the kills take (5 s each on average), so that
        // most of them land while ingest is making progress.
        let slices = (events.count + 1_999) / 2_000
        let pause = max(1_200, rounds * 5_000 / max(slices, 1))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 3)
        let store = try TallyStore(dataDirectory: dataDirectory)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret

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
                try await Task.sleep(for: .milliseconds(pause))
            }
            return ends
        }
        var random = SeededRandom(seed: 4)
        var kills = 0
        var midStreamKills = 0
        var lastCommitted: Int64 = 0
        while kills < rounds || !done.isSet {
            try server.start()
            try await Task.sleep(for: .milliseconds(random.int(in: 3_000...7_000)))
            server.kill9()
            kills += 1
            let committed = try store.consumedOffsets().reduce(0) { $0 + $1.nextOffset }
            if committed > lastCommitted, committed < Int64(events.count) { midStreamKills += 1 }
            lastCommitted = committed
            if kills >= max(20, rounds + 10) { break }
        }
        let ends = try await producing.value
        try server.start()
        defer { server.terminate() }
        try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
        #expect(midStreamKills >= 2, "too few kills landed while ingest was making progress")
        #expect(ends.values.reduce(0, +) == Int64(events.count))

        // Every report of every tenant, over HTTP, against the oracle.
        let port = try await server.waitForHTTPPort()
        let tenants = (0..<4).map(TrafficGenerator.tenantId)
        let mismatches = try await ReportCheck.mismatches(port: port, secret: secret, oracle: ReportOracle(events: events),
                                                          tenants: tenants, end: end)
        for mismatch in mismatches.prefix(10) { Issue.record("after \(kills) SIGKILLs: \(mismatch)") }
        print("crash-restart: \(kills) SIGKILLs, \(midStreamKills) while ingest was mid-stream, \(events.count) events, "
              + "\(mismatches.count) mismatches in \(tenants.count * 2 * ReportCatalog.all.count) reports")
    }
}

/// Set once by the producing task, read by the killing loop.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
