/// One validated analytics event, as decoded from a Kafka message value.
///
/// Only events that pass every rule of the contract (see `schemas/event.schema.json`) become an
/// `Event`; everything else is an `EventRejection` and goes to the dead-letter table.
public struct Event: Sendable, Equatable {
    /// What happened, with the fields that only some types carry.
    public enum Kind: Sendable, Equatable {
        case conversationCreated
        case messageCreated(MessageType)
        /// A rating in −100…100, never 0: positive is thumbs up, negative thumbs down.
        case ratingCreated(value: Int)
    }

    public var id: String
    public var kind: Kind
    /// The tenant: the account that owns the bots.
    public var userId: String
    /// Event time in milliseconds since the epoch; its UTC day is the day it counts in.
    public var occurredAtMillis: Int64
    public var conversationId: String?
    /// The end user; every event that carries it makes the contact active on its day.
    public var contactId: String?
    public var botId: String?
    public var channel: String?
    public var messageId: String?
    public var reason: String?
    /// The model tokens of a message (message.created only), 0 to 10 000 000.
    public var tokens: Int?

    public init(
        id: String, kind: Kind, userId: String, occurredAtMillis: Int64, conversationId: String? = nil,
        contactId: String? = nil, botId: String? = nil, channel: String? = nil, messageId: String? = nil,
        reason: String? = nil, tokens: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.userId = userId
        self.occurredAtMillis = occurredAtMillis
        self.conversationId = conversationId
        self.contactId = contactId
        self.botId = botId
        self.channel = channel
        self.messageId = messageId
        self.reason = reason
        self.tokens = tokens
    }

    /// The UTC day of the event's instant (the day of a tenant in UTC; `TenantClocks.day(of:)`
    /// gives the day it counts in for a tenant with a time zone).
    public var day: Day { Day(epochMillis: occurredAtMillis) }

    /// The UTC hour (0...23) of the event's instant within `day`.
    public var hourOfDay: Int { LocalClock.utc.dayAndHour(epochMillis: occurredAtMillis).hour }

    /// The wire name of the event's type.
    public var typeName: String {
        switch kind {
        case .conversationCreated: EventType.conversationCreated.rawValue
        case .messageCreated: EventType.messageCreated.rawValue
        case .ratingCreated: EventType.ratingCreated.rawValue
        }
    }
}

/// The event types of the contract, by wire name.
public enum EventType: String, CaseIterable, Sendable {
    case conversationCreated = "conversation.created"
    case messageCreated = "message.created"
    case ratingCreated = "rating.created"

    /// The default topic each type is produced to; Tally itself routes by `type`, not by topic.
    public var defaultTopic: String {
        switch self {
        case .conversationCreated: "conversations"
        case .messageCreated: "messages"
        case .ratingCreated: "ratings"
        }
    }
}
