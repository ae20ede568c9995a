/// What Tally keeps of one conversation's events to answer the conversation-level reports exactly,
/// however late and out of order the events arrive.
///
/// States form a commutative monoid: the state of a set of events is the `merge` of the states of
/// any partition of it, in any order. Ingest folds a batch's events per conversation in memory and
/// merges that into the stored state once per conversation per batch; the store also keeps one
/// state per conversation and day of its events (see `conversation_states`), so that a rebuild of
/// a range of days can replace exactly those days' parts and merge them with the days it keeps.
/// Each part also counts its messages and their tokens (`messages`, `tokens`, additive), which is
/// what the Conversation Usage Report sums over a window's days, and its bot messages and
/// ratings (additive too), which the Reports API's top conversations list per conversation.
///
/// The first response is the subtle figure: a late user message earlier than the known first one
/// can make an earlier bot message the response. The state therefore keeps every bot-message time
/// that precedes its first user message (all of them while it has none) and, after the first user
/// message, only the earliest bot message at or after it. This is exact: the first user message
/// only ever moves earlier, so a bot message at or after it that is not the earliest can never
/// become the response, and every bot message before it still can, so it is kept. The list holds
/// a conversation's bot messages sent before its first user message (a greeting or two in
/// practice) and shrinks whenever an earlier user message arrives.
public struct ConversationState: Sendable, Equatable {
    /// The earliest `conversation.created` (ms since the epoch), if any.
    public var createdAt: Int64?
    /// The earliest event of any type carrying the conversation.
    public var firstEventAt: Int64
    public var userMessages: Int64 = 0
    /// The earliest user message.
    public var firstUserMessageAt: Int64?
    /// The earliest bot message at or after `firstUserMessageAt`.
    public var firstResponseAt: Int64?
    /// Every bot message before `firstUserMessageAt` (every one when there is none), ascending,
    /// without repeats (equal instants answer alike).
    public var botMessagesBeforeFirstUser: [Int64] = []
    /// The earliest and latest messages of any type.
    public var firstMessageAt: Int64?
    public var lastMessageAt: Int64?
    /// Its `message.created` events, of every type (Conversation Usage's `messages`).
    public var messages: Int64 = 0
    /// The sum of those messages' `tokens` (absent counts as 0).
    public var tokens: Int64 = 0
    /// Its `message.created` events of type `bot`.
    public var botMessages: Int64 = 0
    /// Its `rating.created` events, as the daily counters classify them: a positive value is a
    /// thumbs up, any other (ratings are never 0) a thumbs down.
    public var thumbsUp: Int64 = 0
    public var thumbsDown: Int64 = 0

    public init(createdAt: Int64? = nil, firstEventAt: Int64, userMessages: Int64 = 0, firstUserMessageAt: Int64? = nil,
                firstResponseAt: Int64? = nil, botMessagesBeforeFirstUser: [Int64] = [], firstMessageAt: Int64? = nil, lastMessageAt: Int64? = nil,
                messages: Int64 = 0, tokens: Int64 = 0, botMessages: Int64 = 0, thumbsUp: Int64 = 0, thumbsDown: Int64 = 0) {
        self.createdAt = createdAt
        self.firstEventAt = firstEventAt
        self.userMessages = userMessages
        self.firstUserMessageAt = firstUserMessageAt
        self.firstResponseAt = firstResponseAt
        self.botMessagesBeforeFirstUser = botMessagesBeforeFirstUser
        self.firstMessageAt = firstMessageAt
        self.lastMessageAt = lastMessageAt
        self.messages = messages
        self.tokens = tokens
        self.botMessages = botMessages
        self.thumbsUp = thumbsUp
        self.thumbsDown = thumbsDown
    }

    /// The state of one event (which must carry a conversation id).
    public init(_ event: Event) {
        let at = event.occurredAtMillis
        firstEventAt = at
        switch event.kind {
        case .conversationCreated:
            createdAt = at
        case .messageCreated(let type):
            firstMessageAt = at
            lastMessageAt = at
            messages = 1
            tokens = Int64(event.tokens ?? 0)
            if type == .user {
                userMessages = 1
                firstUserMessageAt = at
            } else if type == .bot {
                botMessages = 1
                botMessagesBeforeFirstUser = [at]
            }
        case .ratingCreated(let value):
            if value > 0 { thumbsUp = 1 } else { thumbsDown = 1 }
        }
    }

    /// Folds in the state of other events of the same conversation.
    public mutating func merge(_ other: ConversationState) {
        createdAt = Self.earlier(createdAt, other.createdAt)
        firstEventAt = min(firstEventAt, other.firstEventAt)
        userMessages += other.userMessages
        messages += other.messages
        tokens += other.tokens
        botMessages += other.botMessages
        thumbsUp += other.thumbsUp
        thumbsDown += other.thumbsDown
        firstMessageAt = Self.earlier(firstMessageAt, other.firstMessageAt)
        lastMessageAt = Self.later(lastMessageAt, other.lastMessageAt)

        let firstUser = Self.earlier(firstUserMessageAt, other.firstUserMessageAt)
        var response = Self.earlier(firstResponseAt, other.firstResponseAt)
        var before: [Int64] = []
        for at in Self.mergedAscending(botMessagesBeforeFirstUser, other.botMessagesBeforeFirstUser) {
            if let firstUser, at >= firstUser {
                // Ascending: the first such bot message is the earliest answer among the kept ones.
                if response.map({ at < $0 }) ?? true { response = at }
            } else {
                before.append(at)
            }
        }
        firstUserMessageAt = firstUser
        firstResponseAt = response
        botMessagesBeforeFirstUser = before
    }

    /// The two states merged.
    public func merging(_ other: ConversationState) -> ConversationState {
        var merged = self
        merged.merge(other)
        return merged
    }

    /// The instant whose day the conversation counts in: its creation, else its earliest event.
    public var startAt: Int64 { createdAt ?? firstEventAt }

    /// The UTC day the conversation counts in (its tenant's, when the tenant is in UTC).
    public var startDay: Day { startDay(in: .utc) }

    /// The local day the conversation counts in, by the same rule as an event's day: the day of
    /// its start on its tenant's clock.
    public func startDay(in clock: LocalClock) -> Day { clock.day(epochMillis: startAt) }

    /// What the conversation adds to its UTC start day's metrics.
    public var contribution: Contribution { contribution(in: .utc) }

    /// What the conversation adds to its start day's metrics, on its tenant's clock.
    public func contribution(in clock: LocalClock) -> Contribution {
        Contribution(
            day: startDay(in: clock), depth: ConversationDepth(userMessages: userMessages),
            firstResponseMillis: firstUserMessageAt.flatMap { user in firstResponseAt.map { $0 - user } },
            durationMillis: firstMessageAt.flatMap { first in lastMessageAt.map { $0 - first } })
    }

    /// One conversation's share of its start day's `ConversationDayMetrics`.
    public struct Contribution: Sendable, Equatable {
        public var day: Day
        public var depth: ConversationDepth
        /// From the first user message to the first bot message at or after it; nil without both.
        public var firstResponseMillis: Int64?
        /// From the first to the last message of any type; nil without a message.
        public var durationMillis: Int64?

        public init(day: Day, depth: ConversationDepth, firstResponseMillis: Int64?, durationMillis: Int64?) {
            self.day = day
            self.depth = depth
            self.firstResponseMillis = firstResponseMillis
            self.durationMillis = durationMillis
        }
    }

    private static func earlier(_ a: Int64?, _ b: Int64?) -> Int64? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    private static func later(_ a: Int64?, _ b: Int64?) -> Int64? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }

    /// The union of two ascending lists without repeats, ascending.
    private static func mergedAscending(_ a: [Int64], _ b: [Int64]) -> [Int64] {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        var merged: [Int64] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let next: Int64
            if j == b.count || (i < a.count && a[i] <= b[j]) { next = a[i]; i += 1 } else { next = b[j]; j += 1 }
            if merged.last != next { merged.append(next) }
        }
        return merged
    }
}
