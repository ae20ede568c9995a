/// Computes the Conversation Usage Report from the tenant-scope conversation state parts of the
/// window's days (`RollupReading.conversationUsage`).
///
/// For each requested conversation id (request order, duplicates collapsed, unknown ids with
/// zeros): `messages` counts its `message.created` events on the window's days, by each event's
/// own day; `tokens` sums those messages' tokens; `conversations` is 1 when it has a message in the
/// window, else 0. The totals sum the items.
public struct ConversationUsageCalculator {
    public init() {}

    /// - Parameter conversationIds: the input's ids, at most `ConversationUsageReport.conversationIdsCount`'s bound.
    public func compute(tenant: String, conversationIds: [String], window: ReportWindow,
                        from rollups: some RollupReading) throws -> ConversationUsageDocument {
        var seen: Set<String> = []
        let ids = conversationIds.filter { seen.insert($0).inserted }
        let usage = try rollups.conversationUsage(tenant: tenant, conversations: ids, from: window.start, through: window.end)
        let items = ids.map { id in
            let counted = usage[id] ?? ConversationUsage()
            return ConversationUsageDocument.Item(conversationId: id, tokens: counted.tokens, conversations: counted.messages > 0 ? 1 : 0,
                                                  messages: counted.messages)
        }
        return ConversationUsageDocument(
            totalTokens: items.reduce(0) { $0 + $1.tokens }, totalConversations: items.reduce(0) { $0 + $1.conversations },
            totalMessages: items.reduce(0) { $0 + $1.messages }, period: window.label, items: items)
    }
}
