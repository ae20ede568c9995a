/// The distinct-member sets kept per tenant and day as ordinal bitmaps.
///
/// Distinct counts over a period cannot be summed from daily counts, so each of these sets is
/// stored per day and unioned at query time. The raw values are persisted: never renumber them.
public enum MemberSet: Int, CaseIterable, Sendable {
    /// Contacts with any event on the day.
    case activeContacts = 0
    /// Conversations with at least one message of any type.
    case conversationsWithMessages = 1
    /// Conversations with at least one user message.
    case conversationsWithUserMessages = 2
    /// Conversations with at least one bot message.
    case conversationsWithBotMessages = 3
    /// Conversations with at least one activity message.
    case conversationsWithActivityMessages = 4

    /// Which identifier space the members' ordinals come from.
    public var memberKind: MemberKind {
        self == .activeContacts ? .contact : .conversation
    }

    /// The set a message of `type` adds its conversation to, besides `conversationsWithMessages`.
    public static func conversations(withMessagesOf type: MessageType) -> MemberSet? {
        switch type {
        case .user: .conversationsWithUserMessages
        case .bot: .conversationsWithBotMessages
        case .activity: .conversationsWithActivityMessages
        default: nil
        }
    }
}

/// The identifier spaces that get dense per-tenant ordinals. Persisted raw values.
public enum MemberKind: Int, Sendable, CaseIterable {
    case contact = 0
    case conversation = 1
}
