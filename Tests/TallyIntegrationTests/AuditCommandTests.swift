import Foundation
import GRDB
import Logging
import Testing
import TallyDomain
import TallyIngest
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

/// The audit log through the real `tally` binary: keys created and revoked, a tenant's zone set, a
/// snapshot, a dead-letter replay and a rebuild against the real broker each leave an entry by
/// `cli:<user>`; `tally audit verify` passes, then names the entry an attacker altered with plain SQL.
@Suite("Audit log through the CLI", .serialized)
struct AuditCommandTests {
    @Test("every audited command leaves an entry, and verify names the row altered behind the triggers' back")
    func commandsAreAudited() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let directory = TestEnvironment.temporaryDirectory("audit-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // A store that has consumed a few events, so the rebuild has partitions to replay.
        let topics = TestEnvironment.uniqueTopics("audit")
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 1)
        let events = Array(TrafficGenerator(seed: 7, tenants: 2, days: 3, endDay: TestEnvironment.today, total: 200))
        let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
        let store = try TallyStore(dataDirectory: directory)
        let pipeline = IngestPipeline(configuration: IngestConfiguration(brokers: brokers, topics: topics, group: "audit-\(UUID().uuidString)"),
                                      store: store, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            try await TestEnvironment.waitUntilCaughtUp(store, to: ends)
            group.cancelAll()
        }

        func tally(_ arguments: [String]) throws -> TallyCommand.Outcome {
            try TallyCommand.run(binary, arguments + ["--data-dir", directory])
        }
        let created = try tally(["keys", "create", "--role", "report_viewer", "--user-id", "t1", "--name", "ci"])
        #expect(created.status == 0, "\(created.stderr)")
        let keyId = try #require(try SettingsStore(dataDirectory: directory).listKeys().first?.id)
        #expect(try tally(["keys", "revoke", keyId]).status == 0)
        #expect(try tally(["keys", "revoke", keyId]).status != 0, "a second revocation is refused, and recorded")
        #expect(try tally(["tenants", "set", "--user-id", "t1", "--time-zone", "Europe/Berlin"]).status == 0)
        let snapshotPath = directory + "/audit-snapshot.sqlite"
        #expect(try tally(["snapshot", "create", "--out", snapshotPath]).status == 0)
        let replay = try tally(["dead-letters", "replay"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let rebuild = try tally(["rebuild", "--brokers", brokers])
        #expect(rebuild.status == 0, "\(rebuild.stderr.suffix(2000))")

        let listed = try tally(["audit", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let items = try #require(page["items"] as? [[String: Any]]).reversed()
        #expect(items.map { $0["action"] as? String } == [
            "key.create", "key.revoke", "key.revoke", "tenant.time_zone.set", "store.snapshot", "dead_letters.replay", "store.rebuild",
        ])
        #expect(items.map { $0["outcome"] as? String } == ["success", "success", "key_already_revoked", "success", "success", "success", "success"])
        let user = AuditActor.osUser()
        #expect(items.allSatisfy { ($0["actor"] as? [String: Any])?["id"] as? String == "cli:\(user)" })
        #expect(items.first?["target"] as? String == keyId && items.first?["user_id"] as? String == "t1")
        #expect(items.dropFirst(4).first?["target"] as? String == snapshotPath)
        #expect(items.last?["target"] as? String == "all")

        let filtered = try tally(["audit", "list", "--action", "key.revoke"])
        #expect(filtered.stdout.split(separator: "\n").count == 3, "a header and two entries: \(filtered.stdout)")

        let intact = try tally(["audit", "verify"])
        #expect(intact.status == 0 && intact.stdout.contains("intact: 7 entries"), "\(intact.stdout)\(intact.stderr)")

        // An attacker with the file: drop the trigger, change who revoked the key.
        let queue = try DatabaseQueue(path: SettingsStore.path(in: directory))
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET actor_id = 'cli:someone-else' WHERE seq = 2")
        }
        let broken = try tally(["audit", "verify"])
        #expect(broken.status == 4)
        #expect(broken.stdout.contains("broken at entry 2"), "\(broken.stdout)")
        #expect(broken.stderr.contains("audit_chain_broken: entry 2"), "\(broken.stderr)")
    }

    @Test("audit list refuses bad filters like the route does")
    func refusedFilters() throws {
        let binary = try TestEnvironment.tallyBinary()
        let directory = TestEnvironment.temporaryDirectory("audit-cli-filters")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bad = try TallyCommand.run(binary, ["audit", "list", "--data-dir", directory, "--since", "yesterday"])
        #expect(bad.status != 0 && bad.stderr.contains("since must be"), "\(bad.stderr)")
        let limit = try TallyCommand.run(binary, ["audit", "list", "--data-dir", directory, "--limit", "0"])
        #expect(limit.status != 0 && limit.stderr.contains("limit must be"), "\(limit.stderr)")
    }
}
