/// One conversation of a period's top conversations (the Reports API's `top_conversations`):
/// its whole state, wherever its events fall, and the bots and channels it has events under.
public struct TopConversation: Sendable, Equatable {
    public var id: String
    /// Its events' bot ids and channels (the slice keys that hold a part of it), sorted.
    public var botIds: [String]
    public var channels: [String]
    /// Every stored part of it under the ranked storage key, merged.
    public var state: ConversationState

    public init(id: String, botIds: [String], channels: [String], state: ConversationState) {
        self.id = id
        self.botIds = botIds
        self.channels = channels
        self.state = state
    }

    /// From the first user message to the first bot message at or after it; nil without both.
    public var firstResponseMillis: Int64? {
        state.firstUserMessageAt.flatMap { user in state.firstResponseAt.map { $0 - user } }
    }

    /// From the first to the last message of any type; nil without a message.
    public var durationMillis: Int64? {
        state.firstMessageAt.flatMap { first in state.lastMessageAt.map { $0 - first } }
    }

    /// The ranking: most messages first, then by id, so that equal counts list the same way on
    /// every run and page.
    public static func ranksBefore(_ a: (id: String, messages: Int64), _ b: (id: String, messages: Int64)) -> Bool {
        a.messages != b.messages ? a.messages > b.messages : a.id < b.id
    }

    /// The most conversations a report lists.
    public static let maximumLimit = 100
}
