import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

extension FaultInjectionTests {
    /// Deployments stop Tally with SIGTERM and kill it if it lingers (Kubernetes waits 30 s, many
    /// supervisors less). A graceful stop must therefore be quick and lose nothing: HTTP stops, the
    /// open batch is committed with its offsets, the consumer leaves the group, and the process
    /// exits 0. The signal is sent while ingest runs at full speed over a large backlog, so there
    /// is always a batch being built and one being written.
    ///
    /// Dedupe is off (`--dedupe-days 0`): with it on, a batch consumed twice would be skipped as
    /// re-sent and hide an offset bug. Here exactly-once rests on the offsets alone, and the store
    /// left at exit is checked against the events below its own offsets, read back from the broker.
    @Suite("Graceful shutdown", .serialized)
    struct GracefulShutdownTests {
        @Test("SIGTERM mid-ingest exits 0 within 5 s with the open batch committed; a restart resumes exactly")
        func sigtermMidIngest() async throws {
            let brokers = try TestEnvironment.brokers()
            let binary = try TestEnvironment.tallyBinary()
            let topics = TestEnvironment.uniqueTopics("graceful")
            let workDirectory = TestEnvironment.temporaryDirectory("graceful")
            let dataDirectory = workDirectory + "/data"
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            let end = TestEnvironment.today
            let total = ChaosMode.integer("TALLY_GRACEFUL_EVENTS", short: 150_000, long: 600_000)
            let rounds = ChaosMode.integer("TALLY_GRACEFUL_ROUNDS", short: 1, long: 8)
            let tenants = (0..<6).map(TrafficGenerator.tenantId)
            let events = Array(TrafficGenerator(seed: 515, tenants: tenants.count, days: 30, endDay: end, total: total))

            let producer = try KafkaProducer(brokers: brokers)
            try producer.createTopics(topics, partitions: 3)
            let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
            let ledger = try await TopicLedger.read(brokers: brokers, topics: topics, ends: ends, events: events)
            let secret = try TestEnvironment.adminSecret(dataDirectory: dataDirectory)
            let store = try TallyStore(dataDirectory: dataDirectory)
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
                "--dedupe-days", "0",
            ], logPath: workDirectory + "/serve.log", logLevel: "info")
            defer { server.terminate() }

            var exitMillis: [Int] = []
            var exitStatuses: [Int32?] = []
            var signalledAt: [Int64] = []
            var storedAt: [Int64] = []
            var mismatches: [String] = []
            for round in 0..<rounds {
                try server.start()
                // Signal once this process has committed a good part of what is left, but not all.
                let before = storedAt.last ?? 0
                let target = before + (Int64(total) - before) / Int64(rounds - round + 1)
                let deadline = ContinuousClock.now + .seconds(60)
                var committed = before
                while committed <= target, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                    committed = try store.consumedOffsets().reduce(0) { $0 + $1.nextOffset }
                }
                try #require(committed > target, "round \(round): ingest did not pass offset \(target) within 60 s (at \(committed))")
                try #require(committed < Int64(total), "round \(round): ingest finished before SIGTERM could land mid-stream")

                let signalled = ContinuousClock.now
                server.sendTerm()
                let exited = await server.waitForExit(timeout: .seconds(5))
                let elapsed = ContinuousClock.now - signalled
                exitMillis.append(Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
                #expect(exited, "round \(round): tally serve still running 5 s after SIGTERM")
                if !exited { server.kill9() }
                exitStatuses.append(server.exitStatus)
                #expect(server.exitStatus == 0, "round \(round): exit status \(server.exitStatus.map(String.init) ?? "none (killed by a signal)")")

                // What the process left: its offsets and its rollups must describe the same events.
                let offsets = try TestEnvironment.committedOffsets(store)
                let stored = offsets.values.reduce(0, +)
                #expect(stored >= committed, "round \(round): offsets went back from \(committed) to \(stored)")
                signalledAt.append(committed)
                storedAt.append(stored)
                mismatches += try ReportCheck.mismatches(store: store, oracle: ReportOracle(events: ledger.events(below: offsets)),
                                                         tenants: tenants, periods: [30], reports: ReportCheck.representative,
                                                         end: end).map { "after SIGTERM \(round + 1): \($0)" }
            }
            let log = server.logLines()
            #expect(log.filter { $0.contains("ingest stopped") }.count == rounds, "each SIGTERM should end with \"ingest stopped\"")
            #expect(!log.contains { $0.contains("uncommitted batch") }, "a batch was abandoned at shutdown")

            // Restart: it resumes at the stored offsets and ends exactly at the oracle's counts.
            try server.start()
            let port = try await server.waitForHTTPPort()
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            // Every tenant through the store, one tenant's whole catalog over HTTP; the stream spans
            // 30 days, so a 30-day period covers all of it.
            let oracle = ReportOracle(events: events)
            mismatches += try ReportCheck.mismatches(store: store, oracle: oracle, tenants: tenants, periods: [30],
                                                     reports: ReportCheck.representative, end: end)
            mismatches += try await ReportCheck.mismatches(port: port, secret: secret, oracle: oracle, tenants: [tenants[0]],
                                                           periods: [30], end: end)
            for mismatch in mismatches.prefix(10) { Issue.record("\(mismatch)") }
            #expect(mismatches.isEmpty)
            let slowest = exitMillis.max() ?? 0
            let statuses = exitStatuses.allSatisfy { $0 == 0 } ? "0" : exitStatuses.map { $0.map(String.init) ?? "signal" }.joined(separator: "/")
            print("graceful: exited \(statuses) in \(slowest) ms, resumed \(mismatches.isEmpty ? "exactly" : "with \(mismatches.count) mismatches")"
                  + " (\(rounds) SIGTERM at offsets \(signalledAt.map(String.init).joined(separator: ", ")) of \(total);"
                  + " stored at exit \(storedAt.map(String.init).joined(separator: ", ")); exits \(exitMillis.map { "\($0) ms" }.joined(separator: ", ")))")
        }
    }
}
