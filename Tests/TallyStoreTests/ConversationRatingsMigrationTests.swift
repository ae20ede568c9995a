import Foundation
import GRDB
import Testing
import TallyDomain
@testable import TallyStore

/// A store written before v11 opens with the conversation parts' rating and bot-message columns
/// added: its old rows read as none, and new events count from there.
@Suite("Conversation ratings migration")
struct ConversationRatingsMigrationTests {
    static let day = Day(iso: "2026-03-10")!
    static let noon = Int64(day.number) * 86_400_000 + 43_200_000

    @Test("v11 and v12 follow v10; an old store's parts read as 0 ratings and bot messages until events add some")
    func oldStoreMigrates() throws {
        let names = StoreMigrations.migrator.migrations
        let v10 = try #require(names.firstIndex(of: "v10-conversation-usage"))
        #expect(names[v10 + 1] == "v11-conversation-ratings")
        #expect(names[v10 + 2] == "v12-conversation-bot-messages")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-v11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tally.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try StoreMigrations.migrator.migrate(old, upTo: "v10-conversation-usage")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO conversation_states (tenant, conversation_id, day, created_at, first_event_at, user_messages, first_user_at,
                                                     first_response_at, bots_before_first_user, first_message_at, last_message_at, messages, tokens)
                    VALUES ('t', 'c', ?, ?, ?, 1, ?, ?, NULL, ?, ?, 2, 5)
                    """, arguments: [Self.day.number, Self.noon, Self.noon, Self.noon, Self.noon + 1_000, Self.noon, Self.noon + 1_000])
            }
            try old.close()
        }

        let store = try TallyStore(path: path)
        let columns = try store.read { db in try db.columns(in: "conversation_states").map(\.name) }
        #expect(["thumbs_up", "thumbs_down", "bot_messages"].allSatisfy(columns.contains))
        let before = try #require(try store.read { db in try ConversationRows.parts(tenant: "t", conversation: "c", db: db)[Self.day] })
        #expect(before.messages == 2 && before.tokens == 5 && before.thumbsUp == 0 && before.thumbsDown == 0 && before.botMessages == 0)

        func event(_ id: String, _ kind: Event.Kind, _ offset: Int64) -> Event {
            Event(id: id, kind: kind, userId: "t", occurredAtMillis: Self.noon + offset, conversationId: "c", botId: "b")
        }
        let events = [event("r1", .ratingCreated(value: -3), 5_000), event("r2", .ratingCreated(value: 4), 6_000), event("m1", .messageCreated(.bot), 2_000)]
        try store.apply(IngestBatch(events: events, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: 3)]))
        let after = try #require(try store.read { db in try ConversationRows.parts(tenant: "t", conversation: "c", db: db)[Self.day] })
        #expect(after.messages == 3 && after.thumbsUp == 1 && after.thumbsDown == 1 && after.botMessages == 1)

        let top = try store.read { db in
            try SnapshotReader(db: db).topConversations(tenant: "t", clock: .utc, from: Self.day, through: Self.day, limit: 10)
        }
        #expect(top.map(\.id) == ["c"])
        #expect(top.first?.botIds == ["b"] && top.first?.channels == [])
        #expect(top.first?.durationMillis == 2_000 && top.first?.firstResponseMillis == 1_000)
    }
}
