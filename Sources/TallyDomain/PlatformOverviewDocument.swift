/// The answer of Platform Overview, with exactly the fields of ChatBotKit's output schema.
///
/// Tally's events name no blueprints, portals, widgets or their creation, so `blueprints` and
/// `portals` are always 0 and `recentWork` always empty; `bots` counts the bots with activity.
public struct PlatformOverviewDocument: Sendable, Equatable, Encodable {
    /// A count of the period and its change against the previous period.
    public struct Figure: Sendable, Equatable, Encodable {
        public var value: Int64
        public var change: Int64
    }

    /// A count of the period, its change, and its value per day of the period.
    public struct Series: Sendable, Equatable, Encodable {
        public var value: Int64
        public var change: Int64
        public var breakdown: [Day]

        public struct Day: Sendable, Equatable, Encodable {
            public var date: String
            public var total: Int64
        }
    }

    public struct Resources: Sendable, Equatable, Encodable {
        public var blueprints: Figure
        public var portals: Figure
        public var bots: Figure
    }

    /// One of the busiest bots. `thumbsUpRate` is thumbs up ÷ ratings as a percentage (2
    /// decimals), null without ratings; `sparkline` is its tokens per day of the period.
    public struct TopBot: Sendable, Equatable, Encodable {
        public var id: String
        public var name: String
        public var tokens: Int64
        public var conversations: Int64
        public var thumbsUp: Int64
        public var thumbsDown: Int64
        public var thumbsUpRate: ReportNumber?
        public var sparkline: [Int64]

        private enum Key: String, CodingKey { case id, name, tokens, conversations, thumbsUp, thumbsDown, thumbsUpRate, sparkline }

        /// Written by hand so that a missing rate is `null`, as the schema requires the property.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(tokens, forKey: .tokens)
            try container.encode(conversations, forKey: .conversations)
            try container.encode(thumbsUp, forKey: .thumbsUp)
            try container.encode(thumbsDown, forKey: .thumbsDown)
            try container.encode(thumbsUpRate, forKey: .thumbsUpRate)
            try container.encode(sparkline, forKey: .sparkline)
        }
    }

    /// Something made on the platform; Tally sees none, so the list is always empty.
    public struct Work: Sendable, Equatable, Encodable {
        public var id: String
        public var kind: String
        public var name: String?
        public var link: String
        public var createdAt: String

        private enum Key: String, CodingKey { case id, kind, name, link, createdAt }

        /// Written by hand so that a missing name is `null`, as the schema requires the property.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
            try container.encode(kind, forKey: .kind)
            try container.encode(name, forKey: .name)
            try container.encode(link, forKey: .link)
            try container.encode(createdAt, forKey: .createdAt)
        }
    }

    public var period: String
    /// The period's first and last day, `YYYY-MM-DD to YYYY-MM-DD` (one date for a 1-day period).
    public var rangeLabel: String
    public var resources: Resources
    public var tokens: Series
    public var conversations: Series
    public var messages: Series
    /// Thumbs down ratings.
    public var negativeRatings: Series
    /// Thumbs up ratings.
    public var positiveRatings: Figure
    public var topBots: [TopBot]
    public var recentWork: [Work]
}
