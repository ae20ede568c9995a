/// One report of the catalog: its public identity and the metric it computes.
///
/// Ids follow the public ChatBotKit registry so that existing clients keep working; they are part
/// of the API and must never change.
public struct ReportDefinition: Sendable, Equatable, Identifiable {
    /// What a report measures, in terms of the stored rollups.
    public enum Metric: Sendable, Equatable {
        /// A sum of one daily counter over the period.
        case counter(CounterField)
        /// Distinct contacts ever seen up to each day (a snapshot, not a sum).
        case totalContacts
        /// Distinct members of a set over the period (days do not sum to the value).
        case distinct(MemberSet)
        /// Messages of a type ÷ distinct conversations holding such a message, 2 decimals.
        case averagePerConversation(messages: CounterField, conversations: MemberSet)
        /// One counter as a percentage of another over the period, 2 decimals (0 when the
        /// denominator is 0); the breakdown is each day's percentage.
        case percentage(CounterField, of: CounterField)
        /// Active contacts whose first-seen day lies before the period: distinct active contacts
        /// minus the contacts first seen in the period; per day, the day's active minus its new.
        case returningContacts
        /// Messages per day as `.counter(.messages)`, plus a weekday × hour matrix of the period's
        /// messages (Monday first, hours 0–23, in the zone of the rollup's days: UTC for now).
        case hourlyActivity
        /// Conversations with ≥ 1 user message ÷ conversations started, as a percentage; every
        /// conversation counts in its start day (`ConversationState.startDay`).
        case engagementRate
        /// Conversations with exactly 1 user message ÷ conversations with ≥ 1, as a percentage.
        case abandonmentRate
        /// The p50 of the time from a conversation's first user message to the first bot message
        /// at or after it, in seconds; the result adds p50/p90/p99 and the conversations counted.
        case firstResponseTime
        /// The p50 of the time from a conversation's first to its last message, in seconds; the
        /// result adds p50/p90/p99.
        case conversationDuration
        /// Conversations started; the result adds their count per depth bucket (`ConversationDepth`).
        case conversationDepth
    }


    public let id: String
    public let name: String
    public let description: String
    public let metric: Metric
    /// When the definition was published (ISO 8601, as the list endpoint shows it).
    public let createdAt: String
    public let updatedAt: String

    public init(id: String, name: String, description: String, metric: Metric,
                createdAt: String = "2025-11-17T00:00:00.000Z", updatedAt: String = "2025-11-17T00:00:00.000Z") {
        self.id = id
        self.name = name
        self.description = description
        self.metric = metric
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A daily counter a report can sum.
public enum CounterField: Sendable, Equatable {
    case ratings, thumbsUp, thumbsDown, conversations, messages, newContacts, tokens
    case messagesOfType(MessageType)

    /// This field's value in a day's counters.
    public func value(in counters: DailyCounters) -> Int64 {
        switch self {
        case .ratings: counters.ratings
        case .thumbsUp: counters.thumbsUp
        case .thumbsDown: counters.thumbsDown
        case .conversations: counters.conversations
        case .messages: counters.messages
        case .newContacts: counters.newContacts
        case .tokens: counters.tokens
        case .messagesOfType(let type): counters.messages(of: type)
        }
    }
}
