/// The additive counters of one tenant on one day.
///
/// Every field is a plain count, so deltas from any number of batches add up to the same totals
/// in any order. That is what lets ingest fold events in memory and apply one upsert per
/// (tenant, day) per batch instead of one write per event.
public struct DailyCounters: Sendable, Equatable {
    public var conversations: Int64 = 0
    public var messages: Int64 = 0
    /// Messages by `MessageType.index`.
    public var messagesByType: [Int64] = Array(repeating: 0, count: MessageType.allCases.count)
    public var ratings: Int64 = 0
    public var thumbsUp: Int64 = 0
    public var thumbsDown: Int64 = 0
    /// Contacts whose first-ever event falls on this day; their running sum is Total Contacts.
    public var newContacts: Int64 = 0
    /// Model tokens of the day's messages.
    public var tokens: Int64 = 0

    public init() {}

    /// Messages of one type.
    public func messages(of type: MessageType) -> Int64 { messagesByType[type.index] }

    /// Adds one event's contribution.
    public mutating func count(_ event: Event) {
        switch event.kind {
        case .conversationCreated:
            conversations += 1
        case .messageCreated(let type):
            messages += 1
            messagesByType[type.index] += 1
            tokens += Int64(event.tokens ?? 0)
        case .ratingCreated(let value):
            ratings += 1
            if value > 0 { thumbsUp += 1 } else { thumbsDown += 1 }
        }
    }

    /// Adds another set of counters (for sums over a period).
    public mutating func add(_ other: DailyCounters) {
        conversations += other.conversations
        messages += other.messages
        for i in messagesByType.indices { messagesByType[i] += other.messagesByType[i] }
        ratings += other.ratings
        thumbsUp += other.thumbsUp
        thumbsDown += other.thumbsDown
        newContacts += other.newContacts
        tokens += other.tokens
    }
}
