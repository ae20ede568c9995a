import Foundation
import GRDB
import TallyDomain

/// The reads and writes of `conversation_states` that ingest runs for every conversation of a
/// batch, prepared once per transaction and bound in place (see `RawStatement`).
struct ConversationPartStatements {
    private let select: RawStatement
    /// Nil when prepared for reading only (`init(readingFrom:)`).
    private let save: RawStatement?
    /// The same write, bound alike, of a part known to be stored: an update in place costs one
    /// B-tree search, where a replace deletes the row and inserts it again.
    private let update: RawStatement?

    init(_ db: Database) throws {
        select = try Self.select(db)
        let placeholders = Array(repeating: "?", count: 5 + ConversationRows.stateColumnCount).joined(separator: ", ")
        save = try RawStatement(db, """
            INSERT OR REPLACE INTO conversation_states (tenant, conversation_id, day, \(ConversationRows.stateColumns), marked_bot, marked_channel)
            VALUES (\(placeholders))
            """)
        let columns = (ConversationRows.stateColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } + ["marked_bot", "marked_channel"])
        update = try RawStatement(db, """
            UPDATE conversation_states SET \(columns.enumerated().map { "\($0.element) = ?\($0.offset + 4)" }.joined(separator: ", "))
            WHERE tenant = ?1 AND conversation_id = ?2 AND day = ?3
            """)
    }

    /// The reads alone, for a report's read transaction, which prepares no write.
    init(readingFrom db: Database) throws {
        select = try Self.select(db)
        save = nil
        update = nil
    }

    private static func select(_ db: Database) throws -> RawStatement {
        try RawStatement(db, "SELECT day, \(ConversationRows.stateColumns), marked_bot, marked_channel FROM conversation_states WHERE tenant = ? AND conversation_id = ?")
    }

    /// Every stored part of one conversation, by day of its events.
    func parts(tenant: String, conversation: String) throws -> [Day: ConversationState] {
        var parts: [Day: ConversationState] = [:]
        try visitParts(tenant: tenant, conversation: conversation) { day, state, _ in parts[day] = state }
        return parts
    }

    /// Every stored part of one conversation with its marks (`SliceMarks`), by day of its events.
    func markedParts(tenant: String, conversation: String) throws -> [Day: (state: ConversationState, marks: SliceMarks)] {
        var parts: [Day: (state: ConversationState, marks: SliceMarks)] = [:]
        try visitParts(tenant: tenant, conversation: conversation) { day, state, marks in parts[day] = (state, marks) }
        return parts
    }

    private func visitParts(tenant: String, conversation: String, _ body: (Day, ConversationState, SliceMarks) -> Void) throws {
        select.bind(1, tenant)
        select.bind(2, conversation)
        while try select.next() {
            // Columns as `ConversationRows.stateColumns` lists them, after the day; then the marks.
            let bots = try select.bytes(6).map { try ConversationRows.decodeInstants($0) } ?? []
            let state = ConversationState(
                createdAt: select.optionalInt64(1), firstEventAt: select.int64(2), userMessages: select.int64(3),
                firstUserMessageAt: select.optionalInt64(4), firstResponseAt: select.optionalInt64(5), botMessagesBeforeFirstUser: bots,
                firstMessageAt: select.optionalInt64(7), lastMessageAt: select.optionalInt64(8),
                messages: select.optionalInt64(9) ?? 0, tokens: select.optionalInt64(10) ?? 0,
                botMessages: select.optionalInt64(13) ?? 0, thumbsUp: select.optionalInt64(11) ?? 0, thumbsDown: select.optionalInt64(12) ?? 0)
            body(Day(number: Int32(select.int64(0))), state, SliceMarks(botId: select.text(14), channel: select.text(15)))
        }
    }

    /// Writes one part, replacing the stored one. Only ingest, which folds the marks with the
    /// states, passes any; every other writer leaves them NULL, which is always right.
    /// - Parameter stored: the part is known to be stored, so it is updated in place.
    func save(_ state: ConversationState, tenant: String, conversation: String, day: Day, marks: SliceMarks = .none, stored: Bool = false) throws {
        guard let insert = self.save, let update else { preconditionFailure("conversation part statements prepared for reading only") }
        if stored {
            try write(state, tenant: tenant, conversation: conversation, day: day, marks: marks, with: update)
            // Known to be stored, so this never falls through; if it did, the insert keeps the part.
            guard update.changes == 0 else { return }
        }
        try write(state, tenant: tenant, conversation: conversation, day: day, marks: marks, with: insert)
    }

    private func write(_ state: ConversationState, tenant: String, conversation: String, day: Day, marks: SliceMarks,
                       with save: RawStatement) throws {
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
        save.bind(17, marks.botId)
        save.bind(18, marks.channel)
        try save.run()
    }
}
