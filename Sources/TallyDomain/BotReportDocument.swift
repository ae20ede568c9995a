/// The answer of a `BotReport`, in ChatBotKit's output shape (its schemas forbid any other
/// property, so these types carry exactly the schema's fields).
public enum BotReportDocument: Sendable, Equatable, Encodable {
    case stats(BotStats)
    case performance(BotPerformance)
    case negativeFeedback(BotNegativeFeedback)
    case conversationQuality(BotConversationQuality)
    /// Bot Alerts (see `AlertRule.botAlerts`).
    case alerts(AlertsDocument)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .stats(let stats): try stats.encode(to: encoder)
        case .performance(let performance): try performance.encode(to: encoder)
        case .negativeFeedback(let feedback): try feedback.encode(to: encoder)
        case .conversationQuality(let quality): try quality.encode(to: encoder)
        case .alerts(let alerts): try alerts.encode(to: encoder)
        }
    }
}

/// Whether a bot's ratings lean up or down: positive with more thumbs up than down, negative with
/// more down, neutral when equal, unknown without ratings (ChatBotKit's definition).
public enum SentimentSignal: String, Sendable, Equatable, Encodable {
    case positive, negative, neutral, unknown

    public init(thumbsUp: Int64, thumbsDown: Int64) {
        if thumbsUp + thumbsDown == 0 {
            self = .unknown
        } else if thumbsUp == thumbsDown {
            self = .neutral
        } else {
            self = thumbsUp > thumbsDown ? .positive : .negative
        }
    }
}

/// Bot Stats: one bot's totals over the period.
public struct BotStats: Sendable, Equatable, Encodable {
    public var totalConversations: Int64
    public var totalMessages: Int64
    public var totalTokens: Int64
    public var totalRatings: Int64
    public var thumbsUp: Int64
    public var thumbsDown: Int64
    public var sentimentSignal: SentimentSignal
    public var period: String
}

/// Bot Performance: one bot's figures against the previous period, with daily breakdowns.
public struct BotPerformance: Sendable, Equatable, Encodable {
    /// A count over the period, the previous period's, their difference, and the period per day.
    public struct Trend: Sendable, Equatable, Encodable {
        public var current: Int64
        public var previous: Int64
        public var change: Int64
        public var breakdown: [Day]

        public struct Day: Sendable, Equatable, Encodable {
            public var date: String
            public var total: Int64
        }
    }

    /// Ratings of the period; `change` is the number of ratings minus the previous period's.
    public struct Ratings: Sendable, Equatable, Encodable {
        public var thumbsUp: Int64
        public var thumbsDown: Int64
        public var total: Int64
        public var change: Int64
        public var sentimentSignal: SentimentSignal
        public var breakdown: [Day]

        public struct Day: Sendable, Equatable, Encodable {
            public var date: String
            public var total: Int64
            public var thumbsUp: Int64
            public var thumbsDown: Int64
        }
    }

    public var conversations: Trend
    public var messages: Trend
    public var tokens: Trend
    public var ratings: Ratings
    public var period: String
}

/// Bot Negative Feedback: the bot's most recent negative ratings of the period, newest first, and
/// its rating counts over the period (`total` is every rating, up or down).
public struct BotNegativeFeedback: Sendable, Equatable, Encodable {
    /// One rating. Every field is present, null when the event did not carry it; `contactName`
    /// is always null, since events carry no names.
    public struct Item: Sendable, Equatable, Encodable {
        public var rating: NegativeRating

        private enum Key: String, CodingKey { case id, value, reason, conversationId, messageId, contactId, contactName, createdAt }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(rating.id, forKey: .id)
            try container.encode(rating.value, forKey: .value)
            try container.encode(rating.reason, forKey: .reason)
            try container.encode(rating.conversationId, forKey: .conversationId)
            try container.encode(rating.messageId, forKey: .messageId)
            try container.encode(rating.contactId, forKey: .contactId)
            try container.encodeNil(forKey: .contactName)
            try container.encode(EventEncoder.timestamp(rating.occurredAtMillis), forKey: .createdAt)
        }
    }

    public var items: [Item]
    public var total: Int64
    public var thumbsDown: Int64
    public var thumbsUp: Int64
    public var period: String
}

/// Bot Conversation Quality: the bot's conversations of the period by depth, how many were
/// abandoned, and what they cost in tokens.
public struct BotConversationQuality: Sendable, Equatable, Encodable {
    /// Messages of each type ÷ the distinct conversations with a message of that type (as the
    /// Average … per Conversation reports define them), 2 decimals.
    public struct Averages: Sendable, Equatable, Encodable {
        public var user: ReportNumber
        public var bot: ReportNumber
        public var activity: ReportNumber
    }

    /// Conversations started in the period by user messages: 1, 2–3, 4–10, more than 10.
    public struct Depth: Sendable, Equatable, Encodable {
        public var singleTurn: Int64
        public var short: Int64
        public var medium: Int64
        public var long: Int64
    }

    /// An action a bot used; events name none, so the list is always empty.
    public struct Action: Sendable, Equatable, Encodable {
        public var type: String
        public var name: String
        public var count: Int64
    }

    public var avgMessagesPerConversation: Averages
    public var conversationDepth: Depth
    /// Conversations started in the period (those without a user message included).
    public var totalConversations: Int64
    /// Conversations with exactly one user message ÷ those with at least one, as a percentage.
    public var abandonmentRate: ReportNumber
    /// Tokens ÷ the distinct conversations with a message.
    public var avgTokensPerConversation: ReportNumber
    /// Tokens ÷ messages.
    public var avgTokensPerMessage: ReportNumber
    public var topActions: [Action]
    public var period: String
}
