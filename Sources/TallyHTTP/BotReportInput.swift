import TallyDomain

/// The input of a per-bot report (`BotReport`): which bot, and over which days.
///
/// On ChatBotKit's routes it is ChatBotKit's `{botId, periodDays}` (botId required, nothing else);
/// on `/fetch` it is the seed's body, whose `botId` is then required and whose `channel` and
/// `groupBy` have no meaning for a report of one bot.
struct BotReportInput {
    var botId: String
    var periodDays: Int = ReportWindow.defaultPeriodDays

    static let generateProperties = ["botId", "periodDays"]

    /// ChatBotKit's input, as its schema for the report states it.
    static func parseGenerate(_ fields: [String: JSONValue]) throws(APIError) -> BotReportInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: generateProperties, hint: (
            property: "userId", text: "this report's input names no tenant: a platform-wide key names it with ?userId= in the query"))
        var input = BotReportInput(botId: try botId(fields["botId"]))
        if let value = fields["periodDays"] { input.periodDays = try ChatBotKitInput.periodDays(value) }
        return input
    }

    /// The seed's fetch body, read by `FetchRequest` as for any report (its `userId` and `endDate`
    /// apply as they do to every report).
    static func parseFetch(_ request: FetchRequest) throws(APIError) -> BotReportInput {
        if request.groupBy != nil {
            throw .badRequest("invalid_parameter", "groupBy does not apply to a report of one bot")
        }
        guard let slice = request.slice, slice.dimension == .botId else {
            throw request.slice == nil ? .badRequest("missing_parameter", "botId is required by this report")
                : .badRequest("invalid_parameter", "a report of one bot takes botId, not channel")
        }
        return BotReportInput(botId: slice.value, periodDays: request.periodDays)
    }

    private static func botId(_ value: JSONValue?) throws(APIError) -> String {
        switch value {
        case nil: throw .badRequest("missing_parameter", "botId is required by this report's input")
        case .string(let botId)? where FetchRequest.isIdentifier(botId): return botId
        default: throw .badRequest("invalid_parameter", "botId must be a string of 1 to 128 characters without control characters")
        }
    }
}
