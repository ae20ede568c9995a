import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

extension FaultInjectionTests {
    /// Brokers go away: upgrades, crashes, network partitions. Reports are read from SQLite, so they
    /// must keep being served, unchanged, while Kafka is down; the log must say so once per change
    /// of state rather than once per retry; and when the broker is back Tally must reconnect and
    /// count what arrives.
    ///
    /// The test runs its own Tansu broker (`TALLY_TANSU`) so that it can stop it. Tansu keeps its
    /// logs in memory: after the restart the topics are recreated empty, their partitions start at
    /// offset 0 again, and Tally's store holds higher offsets for them. A Kafka broker answers a
    /// fetch beyond the log end with OFFSET_OUT_OF_RANGE and librdkafka, with
    /// `auto.offset.reset=earliest`, restarts at the beginning of the new log; so the truthful
    /// expectation is that part A and part B are both counted, each once. Each part after a
    /// restart is shorter than the one before, so the stored offsets are beyond the new log's end
    /// (the case a broker can detect) rather than inside it.
    @Suite("Broker restart", .serialized)
    struct BrokerRestartTests {
        @Test("broker down: HTTP serves the same counts, the log stays quiet; broker back with empty topics: new events are counted")
        func brokerDownAndBack() async throws {
            let binary = try TestEnvironment.tallyBinary()
            let tansu = try BrokerProcess.tansuBinary()
            let workDirectory = TestEnvironment.temporaryDirectory("broker-restart")
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            let broker = BrokerProcess(binary: tansu, logPath: workDirectory + "/broker.log")
            defer { broker.stop() }
            try await broker.start()

            let topics = TestEnvironment.uniqueTopics("brokerrestart")
            let end = TestEnvironment.today
            let tenants = (0..<4).map(TrafficGenerator.tenantId)
            let cycles = ChaosMode.integer("TALLY_BROKER_CYCLES", short: 1, long: 3)
            let outage = Duration.seconds(ChaosMode.integer("TALLY_BROKER_OUTAGE_SECONDS", short: 5, long: 20))
            var size = ChaosMode.integer("TALLY_BROKER_EVENTS", short: 20_000, long: 60_000)
            var parts: [[Event]] = []
            for cycle in 0...cycles {
                parts.append(Array(TrafficGenerator(seed: 700 + UInt64(cycle), tenants: tenants.count, days: 6, endDay: end, total: size)))
                size /= 3
            }

            // Each broker incarnation gets its own producer, released before the broker stops, so
            // that only the server's log speaks about the outage.
            let ends = try {
                let producer = try KafkaProducer(brokers: broker.address)
                try producer.createTopics(topics, partitions: 3)
                return try TestEnvironment.produce(parts[0], to: topics, with: producer).endOffsets
            }()
            let dataDirectory = workDirectory + "/data"
            let secret = try TestEnvironment.adminSecret(dataDirectory: dataDirectory)
            let store = try TallyStore(dataDirectory: dataDirectory)
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", broker.address, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
            ], logPath: workDirectory + "/serve.log")
            defer { server.terminate() }
            try server.start()
            let port = try await server.waitForHTTPPort()
            do {
                // A debug build beside the rest of the suite on two cores can ingest at a few
                // hundred events a second; the deadline is for a stall, not for speed.
                try await TestEnvironment.waitUntilCaughtUp(store, to: ends, timeout: .seconds(180))
            } catch {
                print("broker-restart: the server's log when the first catch-up failed:\n" + server.logLines().suffix(60).joined(separator: "\n"))
                throw error
            }

            var counted = parts[0]
            var served = 0
            var outageLines: [Int] = []
            var reconnectionLines: [Int] = []
            var failures: [String] = []
            for cycle in 1...cycles {
                // What the reports say before the outage, checked against the oracle first.
                var recorded: [(body: String, reportId: String, value: ReportOracle.Expected)] = []
                let oracle = ReportOracle(events: counted)
                for tenant in tenants {
                    for report in ReportCatalog.all {
                        let body = ReportCheck.fetchBody(tenant: tenant, periodDays: 30, end: end)
                        let value = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id, body: body)
                        #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: end).map(value.agrees(with:)) == true, "\(report.name) \(tenant) before the outage")
                        recorded.append((body, report.id, value))
                    }
                }

                // The outage: the broker stops; every request keeps getting 200 and the same numbers.
                let linesBefore = server.logLines().count
                broker.stop()
                let outageEnd = ContinuousClock.now + outage
                var request = 0
                while ContinuousClock.now < outageEnd {
                    let (status, _) = try await HTTPFetch.health(port: port)
                    #expect(status == 200, "healthz answered \(status) while the broker was down")
                    let expected = recorded[request % recorded.count]
                    let value = try await HTTPFetch.report(port: port, secret: secret, reportId: expected.reportId, body: expected.body)
                    #expect(value == expected.value, "report \(expected.reportId) \(expected.body) changed during the outage")
                    served += 2
                    request += 1
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(server.isRunning, "tally serve exited while the broker was down")
                let logAtOutageEnd = server.logLines()
                let lines = logAtOutageEnd.dropFirst(linesBefore).filter { $0.lowercased().contains("kafka") }
                outageLines.append(lines.count)
                #expect(lines.count <= 10, "\(lines.count) kafka log lines in a \(outage) outage (a flood, not one per change of state):\n\(lines.joined(separator: "\n"))")

                // The broker returns on the same port with nothing in it; the topics are recreated
                // and the next part is produced into the fresh logs.
                try await broker.start()
                let stored = try TestEnvironment.committedOffsets(store)
                let partEnds = try await Self.recreateAndProduce(parts[cycle], topics: topics, brokers: broker.address)
                for (partition, partEnd) in partEnds {
                    try #require(partEnd < stored[partition] ?? 0 || stored[partition] ?? 0 == 0,
                                 "\(partition): the new log (\(partEnd)) is not shorter than the stored offset (\(stored[partition] ?? 0)); the scenario needs it shorter")
                }
                counted += parts[cycle]

                // Tally must reconnect (librdkafka backs off up to 10 s, then the group re-forms),
                // notice that its offsets lie beyond the new logs' ends, and count the new part
                // from offset 0: the store's offsets become the new ends. Once healthz shows the new
                // ends as high watermarks, Tally has fetched there; if its stored offsets then stand
                // still for 20 s it never will consume, and the test says so rather than wait out
                // the deadline. (Progress, not a fixed time: a loaded machine ingests slowly.)
                let resumeDeadline = ContinuousClock.now + .seconds(ChaosMode.isLong ? 180 : 120)
                var now = try TestEnvironment.committedOffsets(store)
                var seenEndsAt: ContinuousClock.Instant?
                var movedAt = ContinuousClock.now
                while !partEnds.allSatisfy({ now[$0.key] == $0.value }), ContinuousClock.now < resumeDeadline {
                    if seenEndsAt != nil, ContinuousClock.now - movedAt > .seconds(20) { break }
                    try await Task.sleep(for: .milliseconds(100))
                    let previous = now
                    now = try TestEnvironment.committedOffsets(store)
                    if now != previous { movedAt = ContinuousClock.now }
                    if seenEndsAt == nil, let (_, health) = try? await HTTPFetch.health(port: port) {
                        let watermarks = Dictionary(health.partitions.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0.highWatermark) }) { a, _ in a }
                        if partEnds.allSatisfy({ watermarks[$0.key] == $0.value }) { seenEndsAt = ContinuousClock.now }
                    }
                }
                let reconnectLines = server.logLines().dropFirst(logAtOutageEnd.count).filter { $0.lowercased().contains("kafka") }.count
                if !partEnds.allSatisfy({ now[$0.key] == $0.value }) {
                    let (_, health) = try await HTTPFetch.health(port: port)
                    let watermarks = Dictionary(health.partitions.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0.highWatermark) }) { a, _ in a }
                    let detail = partEnds.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { partition in
                        "\(partition): stored offset \(now[partition] ?? 0), new log end \(partEnds[partition] ?? 0), healthz highWatermark \(watermarks[partition].flatMap { $0.map(String.init) } ?? "none")"
                    }
                    let state = "healthz state=\(health.state), \(health.partitions.count) partitions assigned, caughtUp=\(health.caughtUp), "
                        + "eventsCounted=\(health.eventsCounted)"
                    let why = seenEndsAt != nil
                        ? "it fetched the new logs (their ends are its high watermarks) but stays at its stored offsets, beyond those ends"
                        : "it was not consuming the recreated partitions when the wait ended"
                    failures.append("after broker restart \(cycle), the new events were not consumed: \(why); \(state); \(detail.joined(separator: "; "))")
                    Issue.record("""
                        after broker restart \(cycle), Tally did not consume the recreated topics: \(why).
                        \(state)
                        \(detail.joined(separator: "\n"))
                        """)
                }
                reconnectionLines.append(reconnectLines)
                let mismatches = try await ReportCheck.mismatches(port: port, secret: secret, oracle: ReportOracle(events: counted),
                                                                  tenants: tenants, end: end)
                for mismatch in mismatches.prefix(5) { Issue.record("after broker restart \(cycle): \(mismatch)") }
                if !mismatches.isEmpty { failures.append("\(mismatches.count) report mismatches after broker restart \(cycle)") }
            }
            print("broker-restart: served \(served) requests during outage, \(outageLines.map(String.init).joined(separator: "/")) log lines, resumed: "
                  + (failures.isEmpty ? "ok" : "FAILED (\(failures.joined(separator: " | ")))")
                  + " (\(reconnectionLines.map(String.init).joined(separator: "/")) more log lines from the broker's return to the end of the wait)")
        }

        /// Recreates the topics on a freshly started broker (retrying while it settles) and
        /// produces `events` into them; the producer is gone again when this returns.
        private static func recreateAndProduce(_ events: [Event], topics: [String], brokers: String) async throws -> [TopicPartition: Int64] {
            let producer = try KafkaProducer(brokers: brokers)
            let deadline = ContinuousClock.now + .seconds(15)
            while true {
                do {
                    try producer.createTopics(topics, partitions: 3)
                    break
                } catch {
                    if ContinuousClock.now > deadline { throw error }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            return try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
        }
    }
}
