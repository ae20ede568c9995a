import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

extension FaultInjectionTests {
    /// Producers retry, so the same event (same id, same content) arrives again at another offset.
    /// Offsets in the store give exactly-once per message; only the dedupe by (tenant, event id)
    /// makes a re-sent event count once. This test re-sends 10 % of a seeded stream in the three
    /// places a retry can land: next to the original (usually in the same batch), much later
    /// after other data, and after the server was restarted (the dedupe state must be durable, not
    /// a per-process cache) — once across a `kill -9`, once across a SIGTERM.
    @Suite("Re-sent events", .serialized)
    struct ResentEventsTests {
        @Test("events re-sent in the same batch, after other data, and after kill -9 or SIGTERM restarts count once")
        func resentEventsCountOnce() async throws {
            let brokers = try TestEnvironment.brokers()
            let binary = try TestEnvironment.tallyBinary()
            let topics = TestEnvironment.uniqueTopics("resent")
            let dataDirectory = TestEnvironment.temporaryDirectory("resent")
            let end = TestEnvironment.today
            let total = ChaosMode.integer("TALLY_RESENT_EVENTS", short: 30_000, long: 200_000)
            let tenants = (0..<5).map(TrafficGenerator.tenantId)
            // Six days, inside the default 7-day dedupe window even if the run crosses midnight UTC.
            let unique = Array(TrafficGenerator(seed: 1207, tenants: tenants.count, days: 6, endDay: end, total: total))
            let plan = ResendPlan(events: unique, seed: 42)
            try #require(plan.resent.reduce(0, +) > total / 20, "the plan re-sends too few events to mean anything")

            let producer = try KafkaProducer(brokers: brokers)
            try producer.createTopics(topics, partitions: 3)
            let secret = try TestEnvironment.adminSecret(dataDirectory: dataDirectory)
            let store = try TallyStore(dataDirectory: dataDirectory)
            // Default --dedupe-days (7): the test checks the shipped configuration.
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
            ])
            defer { server.terminate() }

            var ends: [TopicPartition: Int64] = [:]
            var countedByProcesses: Int64 = 0
            var skippedByProcesses: Int64 = 0
            var port = 0
            for phase in plan.phases.indices {
                switch phase {
                case 0: break
                case 1:
                    server.kill9()
                default:
                    server.sendTerm()
                    #expect(await server.waitForExit(timeout: .seconds(10)), "tally serve did not exit within 10 s of SIGTERM")
                    #expect(server.exitStatus == 0, "tally serve exited with \(server.exitStatus.map(String.init) ?? "a signal") after SIGTERM")
                    server.kill9()
                }
                try server.start()
                port = try await server.waitForHTTPPort()
                ends.merge(try TestEnvironment.produce(plan.phases[phase], to: topics, with: producer).endOffsets) { max($0, $1) }
                try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
                // Each process counts duplicates from its own start; once it has published every
                // batch it applied, its figure must be exactly the re-sends of this phase.
                let endTotal = ends.values.reduce(0, +)
                let health = try await TestEnvironment.waitForHealth(port: port, timeout: .seconds(10), "healthz never showed the phase committed") {
                    $0.committedTotal == endTotal
                }
                #expect(health.duplicates == Int64(plan.resent[phase]), "phase \(phase): healthz duplicates \(health.duplicates), re-sent \(plan.resent[phase])")
                countedByProcesses += health.eventsCounted
                skippedByProcesses += health.duplicates
            }

            let resent = plan.resent.reduce(0, +)
            let skipped = try store.total("duplicates")
            #expect(skipped == Int64(resent), "store total duplicates \(skipped), re-sent \(resent)")
            #expect(skippedByProcesses == Int64(resent))
            #expect(countedByProcesses == Int64(unique.count), "counted \(countedByProcesses) of \(unique.count) unique events")
            #expect(ends.values.reduce(0, +) == Int64(unique.count + resent))

            let mismatches = try await ReportCheck.mismatches(port: port, secret: secret, oracle: ReportOracle(events: unique),
                                                              tenants: tenants, end: end)
            for mismatch in mismatches.prefix(10) { Issue.record("\(mismatch)") }
            print("resent: \(unique.count) events, \(resent) re-sent, \(skipped) duplicates skipped, \(mismatches.count) mismatches"
                  + " (\(plan.adjacent) next to the original, \(plan.later) after other data, \(plan.afterRestart) after a restart)")
        }
    }
}

/// Which events are re-sent where, reproducibly from a seed.
///
/// The stream is produced in three phases, one per server process: phase 0 by the first process,
/// phase 1 after a `kill -9`, phase 2 after a SIGTERM. About 10 % of the unique events are chosen;
/// each is re-sent right after its original, at the end of its own phase, or early in the next
/// phase (after the restart). Events of the last phase have no next phase and go at its end.
struct ResendPlan {
    /// What each phase produces, in order: originals and re-sends.
    private(set) var phases: [[Event]] = [[], [], []]
    /// How many re-sends each phase produces.
    private(set) var resent = [0, 0, 0]
    private(set) var adjacent = 0
    private(set) var later = 0
    private(set) var afterRestart = 0

    init(events: [Event], seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let bounds = [0, events.count / 2, events.count * 3 / 4, events.count]
        var carried: [Event] = []
        for phase in 0..<3 {
            // Re-sends of the previous phase's events come first, right after the restart.
            phases[phase] = carried
            resent[phase] = carried.count
            carried = []
            var atEnd: [Event] = []
            for event in events[bounds[phase]..<bounds[phase + 1]] {
                phases[phase].append(event)
                guard random.chance(0.10) else { continue }
                switch random.int(in: 0...2) {
                case 0:
                    phases[phase].append(event)
                    resent[phase] += 1
                    adjacent += 1
                case 1 where phase < 2:
                    carried.append(event)
                    afterRestart += 1
                default:
                    atEnd.append(event)
                    later += 1
                }
            }
            phases[phase] += atEnd
            resent[phase] += atEnd.count
        }
    }
}
