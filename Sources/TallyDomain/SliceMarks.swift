/// The bot and the channel that every event of a tenant's conversation part carries, where one
/// does.
///
/// Such a part is, event for event, also that bot's and that channel's part of the conversation
/// (a slice holds the events that carry its value, see `RollupScope`). When every part of a
/// conversation is marked with one bot, that bot's slice holds the very state the tenant holds,
/// so the store takes the tenant's state for the slice's instead of reading it again. A mark only
/// ever weakens: once a part has an event without the bot or with another, it has none.
public struct SliceMarks: Sendable, Equatable {
    public var botId: String?
    public var channel: String?

    /// No mark: the parts of a slice, or a part whose events disagree.
    public static let none = SliceMarks(botId: nil, channel: nil)

    public init(botId: String?, channel: String?) {
        self.botId = botId
        self.channel = channel
    }

    /// The marks of one event's part.
    public init(_ event: Event) { self.init(botId: event.botId, channel: event.channel) }

    /// The marks of the union of two parts' events.
    public func meeting(_ other: SliceMarks) -> SliceMarks {
        SliceMarks(botId: botId == other.botId ? botId : nil, channel: channel == other.channel ? channel : nil)
    }

    /// The value of `dimension` that every event carries, if one does.
    public func value(of dimension: RollupScope.Dimension) -> String? {
        switch dimension {
        case .botId: botId
        case .channel: channel
        }
    }
}
