import Foundation
import GRDB
import TallyDomain

/// The reads and writes of `conversation_states` that ingest runs for every conversation of a
/// batch, prepared once per transaction and bound in place (see `RawStatement`).
struct ConversationPartStatements {
    private let select: RawStatement
    /// Nil when prepared for reading only (`init(readingFrom:)`).
    private let save: RawStatement?

    init(_ db: Database) throws {
        select = try Self.select(db)
        let placeholders = Array(repeating: "?", count: 3 + ConversationRows.stateColumnCount).joined(separator: ", ")
        save = try RawStatement(db, "INSERT OR REPLACE INTO conversation_states (tenant, conversation_id, day, \(ConversationRows.stateColumns)) VALUES (\(placeholders))")
    }

    /// The reads alone, for a report's read transaction, which prepares no write.
    init(readingFrom db: Database) throws {
        select = try Self.select(db)
        save = nil
    }

    private static func select(_ db: Database) throws -> RawStatement {
        try RawStatement(db, "SELECT day, \(ConversationRows.stateColumns) FROM conversation_states WHERE tenant = ? AND conversation_id = ?")
    }

    /// Every stored part of one conversation, by day of its events.
    func parts(tenant: String, conversation: String) throws -> [Day: ConversationState] {
        select.bind(1, tenant)
        select.bind(2, conversation)
        var parts: [Day: ConversationState] = [:]
        while try select.next() {
            // Columns as `ConversationRows.stateColumns` lists them, after the day.
            let bots = try select.bytes(6).map { try ConversationRows.decodeInstants($0) } ?? []
            parts[Day(number: Int32(select.int64(0)))] = ConversationState(
                createdAt: select.optionalInt64(1), firstEventAt: select.int64(2), userMessages: select.int64(3),
                firstUserMessageAt: select.optionalInt64(4), firstResponseAt: select.optionalInt64(5), botMessagesBeforeFirstUser: bots,
                firstMessageAt: select.optionalInt64(7), lastMessageAt: select.optionalInt64(8),
                messages: select.optionalInt64(9) ?? 0, tokens: select.optionalInt64(10) ?? 0,
                botMessages: select.optionalInt64(13) ?? 0, thumbsUp: select.optionalInt64(11) ?? 0, thumbsDown: select.optionalInt64(12) ?? 0)
        }
        return parts
    }

    /// Writes one part, replacing the stored one.
    func save(_ state: ConversationState, tenant: String, conversation: String, day: Day) throws {
        guard let save else { preconditionFailure("conversation part statements prepared for reading only") }
        save.bind(1, tenant)
        save.bind(2, conversation)
        save.bind(3, Int64(day.number))
        save.bind(4, state.createdAt)
        save.bind(5, state.firstEventAt)
        save.bind(6, state.userMessages)
        save.bind(7, state.firstUserMessageAt)
        save.bind(8, state.firstResponseAt)
        save.bind(9, bytes: state.botMessagesBeforeFirstUser.isEmpty ? nil : ConversationRows.encodeInstants(state.botMessagesBeforeFirstUser))
        save.bind(10, state.firstMessageAt)
        save.bind(11, state.lastMessageAt)
        save.bind(12, state.messages)
        save.bind(13, state.tokens)
        save.bind(14, state.thumbsUp)
        save.bind(15, state.thumbsDown)
        save.bind(16, state.botMessages)
        try save.run()
    }
}
