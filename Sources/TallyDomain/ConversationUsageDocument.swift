/// The answer of the Conversation Usage Report, in ChatBotKit's output shape.
public struct ConversationUsageDocument: Sendable, Equatable, Encodable {
    /// The sums of the items' `tokens`, `conversations` and `messages`.
    public var totalTokens: Int64
    public var totalConversations: Int64
    public var totalMessages: Int64
    /// The period label, as every ChatBotKit output's (`ReportWindow.label`).
    public var period: String
    /// One per requested conversation id, in request order, duplicates collapsed.
    public var items: [Item]

    public init(totalTokens: Int64, totalConversations: Int64, totalMessages: Int64, period: String, items: [Item]) {
        self.totalTokens = totalTokens
        self.totalConversations = totalConversations
        self.totalMessages = totalMessages
        self.period = period
        self.items = items
    }

    /// One conversation's usage over the period; an id Tally has never seen has zeros.
    public struct Item: Sendable, Equatable, Encodable {
        public var conversationId: String
        /// The sum of the `tokens` of its messages in the period.
        public var tokens: Int64
        /// 1 when it has a message in the period, else 0.
        public var conversations: Int64
        /// Its `message.created` events on the days of the period (by each event's own day).
        public var messages: Int64

        public init(conversationId: String, tokens: Int64, conversations: Int64, messages: Int64) {
            self.conversationId = conversationId
            self.tokens = tokens
            self.conversations = conversations
            self.messages = messages
        }
    }
}
