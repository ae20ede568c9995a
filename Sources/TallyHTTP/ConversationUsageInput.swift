import TallyDomain

/// The input of the Conversation Usage Report: which conversations, over which days.
///
/// On ChatBotKit's route it is ChatBotKit's `{conversationIds, periodDays}`, nothing else; on
/// `/fetch` it is the seed's body with `conversationIds` besides, whose `botId`, `channel` and
/// `groupBy` have no meaning for a report of the tenant's conversations and are refused.
/// `conversationIds` holds 1 to 100 strings, each an `Identifier` (Tally's rule for every id);
/// `periodDays` is 1 to 90, 90 when left out, as ChatBotKit's schema states.
struct ConversationUsageInput: Sendable, Equatable {
    var conversationIds: [String]
    var periodDays = ConversationUsageReport.defaultPeriodDays

    /// ChatBotKit's input, as its schema for the report states it.
    static func parseGenerate(_ fields: [String: JSONValue]) throws(APIError) -> ConversationUsageInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: [ConversationUsageReport.inputProperty, "periodDays"], hint: (
            property: "userId", text: "this report's input names no tenant: a platform-wide key names it with ?userId= in the query"))
        var input = ConversationUsageInput(conversationIds: try conversationIds(fields))
        if let value = fields["periodDays"] { input.periodDays = try checkedPeriodDays(try ChatBotKitInput.periodDays(value)) }
        return input
    }

    /// The seed's fetch body, read by `FetchRequest` (parsed with this report's default
    /// `periodDays` and `conversationIds` among its extras).
    static func parseFetch(_ request: FetchRequest) throws(APIError) -> ConversationUsageInput {
        if request.groupBy != nil {
            throw .badRequest("invalid_parameter", "groupBy does not apply to this report: it answers the conversations it is given")
        }
        if let slice = request.slice {
            throw .badRequest("invalid_parameter", "\(slice.dimension.rawValue) does not apply to this report: it covers the whole tenant")
        }
        return ConversationUsageInput(conversationIds: try conversationIds(request.extras), periodDays: try checkedPeriodDays(request.periodDays))
    }

    private static func checkedPeriodDays(_ days: Int) throws(APIError) -> Int {
        let range = ConversationUsageReport.periodDaysRange
        guard range.contains(days) else {
            throw .badRequest("invalid_parameter", "periodDays must be an integer from \(range.lowerBound) to \(range.upperBound) for this report")
        }
        return days
    }

    /// `conversationIds`: required, an array of 1 to 100 valid identifiers (duplicates allowed;
    /// the report collapses them).
    private static func conversationIds(_ fields: [String: JSONValue]) throws(APIError) -> [String] {
        let name = ConversationUsageReport.inputProperty
        let bounds = ConversationUsageReport.conversationIdsCount
        guard let value = fields[name] else { throw .badRequest("missing_parameter", "\(name) is required by this report's input") }
        guard case .array(let elements) = value, bounds.contains(elements.count) else {
            throw .badRequest("invalid_parameter", "\(name) must be an array of \(bounds.lowerBound) to \(bounds.upperBound) conversation ids")
        }
        var ids: [String] = []
        ids.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let id) = element, Identifier.isValid(id) else {
                throw .badRequest("invalid_parameter",
                                  "\(name)[\(index)] must be a string of 1 to 128 characters without control characters")
            }
            ids.append(id)
        }
        return ids
    }
}
