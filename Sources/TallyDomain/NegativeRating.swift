/// One negative rating (`value` below 0) as Bot Negative Feedback lists it: the rating event with
/// what it points at. Kept per bot, since that report is the only one that lists ratings.
public struct NegativeRating: Sendable, Equatable {
    /// Reasons are free text from users; this many characters are kept, which is more than any
    /// list shows and bounds what one hostile event can make the store hold.
    public static let maximumReasonCharacters = 1_000

    /// The rating event's id.
    public var id: String
    public var value: Int
    public var occurredAtMillis: Int64
    public var reason: String?
    public var conversationId: String?
    public var messageId: String?
    public var contactId: String?

    public init(id: String, value: Int, occurredAtMillis: Int64, reason: String?, conversationId: String?, messageId: String?, contactId: String?) {
        self.id = id
        self.value = value
        self.occurredAtMillis = occurredAtMillis
        self.reason = reason.map { String($0.prefix(Self.maximumReasonCharacters)) }
        self.conversationId = conversationId
        self.messageId = messageId
        self.contactId = contactId
    }

    /// The rating an event carries, when it is a negative rating.
    public init?(_ event: Event) {
        guard case .ratingCreated(let value) = event.kind, value < 0 else { return nil }
        self.init(id: event.id, value: value, occurredAtMillis: event.occurredAtMillis, reason: event.reason,
                  conversationId: event.conversationId, messageId: event.messageId, contactId: event.contactId)
    }
}
