/// ChatBotKit's Conversation Usage Report: tokens, messages and activity of the conversations the
/// input lists, over the tenant's last `periodDays` days.
///
/// Unlike the other tenant-wide reports (`TenantReport`) its input names what it reports on
/// (`conversationIds`), so it has a type of its own. It reads the tenant-scope parts of each
/// listed conversation's state (`ConversationState.messages`, `.tokens`), never raw events.
public enum ConversationUsageReport {
    public static let id = "cru3m5n8k001008jq7h9e5b2c"
    public static let name = "Conversation Usage Report"
    public static let description = "Token, conversation, and message usage totals for one or more conversations"

    /// When Tally first served the report (ISO 8601, as the list endpoint shows it).
    public static let createdAt = "2026-12-02T00:00:00.000Z"
    public static let updatedAt = createdAt

    /// `periodDays` as ChatBotKit's schema bounds it (`exclusiveMinimum: 0`, `maximum: 90`), and its default.
    public static let periodDaysRange = 1...90
    public static let defaultPeriodDays = 90

    /// How many conversation ids the input may list (ChatBotKit's `minItems`, `maxItems`).
    public static let conversationIdsCount = 1...100

    /// The input property besides `periodDays`.
    public static let inputProperty = "conversationIds"
}
