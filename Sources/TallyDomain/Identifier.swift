/// The rule every identifier follows — event ids, `userId`, `conversationId`, `contactId`, `botId`,
/// `channel` — wherever one enters Tally: in an event, a report request or a new API key.
///
/// 1 to 128 characters, none of them a control character (U+0000–U+001F, U+007F). A control
/// character has no business in an identifier, and refusing them everywhere keeps slice keys
/// (`RollupScope`, which separate their parts with U+001F) apart from every tenant's.
public enum Identifier {
    public static let maximumCharacters = 128

    /// True for 1 to 128 characters. Characters never outnumber UTF-8 bytes, so counting
    /// characters is only needed for long values.
    public static func hasValidLength(_ text: String) -> Bool {
        !text.isEmpty && (text.utf8.count <= maximumCharacters || text.count <= maximumCharacters)
    }

    /// True when `text` holds a control character.
    public static func containsControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// True when `text` is a valid identifier.
    public static func isValid(_ text: String) -> Bool {
        hasValidLength(text) && !containsControlCharacter(text)
    }
}
