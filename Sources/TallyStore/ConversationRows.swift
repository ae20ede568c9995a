import Foundation
import GRDB
import TallyDomain

/// Reads and writes the rows of `conversation_states` and `conversation_metrics`: the one place
/// that knows their columns, shared by ingest, reports, checksums and transplants.
enum ConversationRows {
    static let stateColumns = "created_at, first_event_at, user_messages, first_user_at, first_response_at, bots_before_first_user, first_message_at, last_message_at, messages, tokens, thumbs_up, thumbs_down, bot_messages"
    /// The number of `stateColumns`.
    static let stateColumnCount = stateColumns.split(separator: ",").count
    static let metricsColumns = "depth_0, depth_1, depth_2_3, depth_4_10, depth_over_10, first_responses, durations"

    /// The state in a row whose columns start at `offset` in `stateColumns` order. `messages` and
    /// `tokens` are NULL in rows written before v10, `thumbs_up` and `thumbs_down` before v11 and
    /// `bot_messages` before v12; each reads as 0.
    static func state(_ row: Row, at offset: Int) throws -> ConversationState {
        var bots: [Int64] = []
        if let data = row[offset + 5] as Data? {
            bots = try decodeInstants(data)
        }
        return ConversationState(
            createdAt: row[offset], firstEventAt: row[offset + 1], userMessages: row[offset + 2], firstUserMessageAt: row[offset + 3],
            firstResponseAt: row[offset + 4], botMessagesBeforeFirstUser: bots, firstMessageAt: row[offset + 6], lastMessageAt: row[offset + 7],
            messages: row[offset + 8] as Int64? ?? 0, tokens: row[offset + 9] as Int64? ?? 0,
            botMessages: row[offset + 12] as Int64? ?? 0, thumbsUp: row[offset + 10] as Int64? ?? 0, thumbsDown: row[offset + 11] as Int64? ?? 0)
    }

    static func stateValues(_ state: ConversationState) -> [(any DatabaseValueConvertible)?] {
        [state.createdAt, state.firstEventAt, state.userMessages, state.firstUserMessageAt, state.firstResponseAt,
         state.botMessagesBeforeFirstUser.isEmpty ? nil : Data(encodeInstants(state.botMessagesBeforeFirstUser)),
         state.firstMessageAt, state.lastMessageAt, state.messages, state.tokens, state.thumbsUp, state.thumbsDown, state.botMessages]
    }

    /// Every stored part of one conversation, by day of its events.
    static func parts(tenant: String, conversation: String, db: Database) throws -> [Day: ConversationState] {
        try ConversationPartStatements(db).parts(tenant: tenant, conversation: conversation)
    }

    static func savePart(_ state: ConversationState, tenant: String, conversation: String, day: Day, db: Database) throws {
        try ConversationPartStatements(db).save(state, tenant: tenant, conversation: conversation, day: day)
    }

    /// The whole conversation's state: its parts merged (nil without any).
    static func merged(_ parts: some Sequence<ConversationState>) -> ConversationState? {
        parts.reduce(nil) { merged, part in merged.map { $0.merging(part) } ?? part }
    }

    /// The metrics in a row whose columns start at `offset` in `metricsColumns` order.
    static func metrics(_ row: Row, at offset: Int) throws -> ConversationDayMetrics {
        ConversationDayMetrics(
            depthCounts: (0..<ConversationDepth.allCases.count).map { row[offset + $0] },
            firstResponses: try histogram(row[offset + 5] as Data), durations: try histogram(row[offset + 6] as Data))
    }

    static func histogram(_ bytes: some Collection<UInt8>) throws -> LogHistogram {
        do { return try LogHistogram(serialized: bytes) } catch { throw StoreError(.corrupt, "a stored histogram is unreadable: \(error)") }
    }

    /// Adds `delta` to a tenant-day's stored metrics (deleting a row left empty); false when the
    /// delta changes nothing.
    @discardableResult
    static func addMetrics(_ delta: ConversationDayMetrics, tenant: String, day: Day, db: Database) throws -> Bool {
        try ConversationMetricsStatements(db).add(delta, tenant: tenant, day: day)
    }

    /// Writes a tenant-day's metrics, or deletes its row when nothing counts there.
    static func saveMetrics(_ metrics: ConversationDayMetrics, tenant: String, day: Day, db: Database) throws {
        try ConversationMetricsStatements(db).write(metrics, tenant: tenant, day: day)
    }

    /// Ascending instants as the first, then the steps (zigzag varints).
    static func encodeInstants(_ instants: [Int64]) -> [UInt8] {
        var bytes: [UInt8] = []
        var previous: Int64 = 0
        for instant in instants {
            VarintCoding.append(instant &- previous, to: &bytes)
            previous = instant
        }
        return bytes
    }

    static func decodeInstants(_ bytes: some Collection<UInt8>) throws -> [Int64] {
        var reader = VarintCoding.Reader(bytes)
        var instants: [Int64] = []
        var previous: Int64 = 0
        do {
            while !reader.isAtEnd {
                let instant = previous &+ (try reader.signed())
                guard instants.isEmpty || instant > previous else { throw VarintCoding.DecodingError.invalid("instants not ascending") }
                instants.append(instant)
                previous = instant
            }
        } catch {
            throw StoreError(.corrupt, "a stored conversation state is unreadable: \(error)")
        }
        return instants
    }
}
