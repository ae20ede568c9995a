/// One conversation's usage over some days: what `ConversationState` counts of its messages,
/// summed over the parts of those days.
public struct ConversationUsage: Sendable, Equatable {
    /// Its `message.created` events, of every type, on those days (by each event's own day).
    public var messages: Int64
    /// The sum of those messages' `tokens` (a message without tokens adds 0).
    public var tokens: Int64

    public init(messages: Int64 = 0, tokens: Int64 = 0) {
        self.messages = messages
        self.tokens = tokens
    }
}
