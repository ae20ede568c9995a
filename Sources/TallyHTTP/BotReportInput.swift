import TallyDomain

/// The input of a per-bot report (`BotReport`): which bot, over which days, and for Bot Negative
/// Feedback how many ratings.
///
/// On ChatBotKit's routes it is ChatBotKit's `{botId, periodDays}` (botId required) plus the
/// report's own properties, nothing else; on `/fetch` it is the seed's body, whose `botId` is then
/// required and whose `channel` and `groupBy` have no meaning for a report of one bot.
struct BotReportInput: Sendable {
    var botId: String
    var periodDays: Int = ReportWindow.defaultPeriodDays
    var limit: Int = BotReport.defaultFeedbackLimit

    /// ChatBotKit's input, as its schema for the report states it.
    static func parseGenerate(_ fields: [String: JSONValue], report: BotReport) throws(APIError) -> BotReportInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: ["botId", "periodDays"] + report.extraInputProperties, hint: (
            property: "userId", text: "this report's input names no tenant: a platform-wide key names it with ?userId= in the query"))
        var input = BotReportInput(botId: try botId(fields["botId"]), periodDays: report.defaultPeriodDays)
        if let value = fields["periodDays"] { input.periodDays = try ChatBotKitInput.periodDays(value) }
        if let value = fields["limit"] { input.limit = try limit(value) }
        return input
    }

    /// The seed's fetch body, read by `FetchRequest` as for any report (its `userId` and `endDate`
    /// apply as they do to every report; it is parsed with the report's default `periodDays`, and
    /// the report's own properties are in `extras`).
    static func parseFetch(_ request: FetchRequest) throws(APIError) -> BotReportInput {
        if request.groupBy != nil {
            throw .badRequest("invalid_parameter", "groupBy does not apply to a report of one bot")
        }
        guard let slice = request.slice, slice.dimension == .botId else {
            throw request.slice == nil ? .badRequest("missing_parameter", "botId is required by this report")
                : .badRequest("invalid_parameter", "a report of one bot takes botId, not channel")
        }
        var input = BotReportInput(botId: slice.value, periodDays: request.periodDays)
        if let value = request.extras["limit"] { input.limit = try limit(value) }
        return input
    }

    private static func botId(_ value: JSONValue?) throws(APIError) -> String {
        switch value {
        case nil: throw .badRequest("missing_parameter", "botId is required by this report's input")
        case .string(let botId)? where Identifier.isValid(botId): return botId
        default: throw .badRequest("invalid_parameter", "botId must be a string of 1 to 128 characters without control characters")
        }
    }

    /// An integer from 1 to 50; as JSON Schema counts `10.0` as an integer, so does this.
    private static func limit(_ value: JSONValue) throws(APIError) -> Int {
        let range = BotReport.feedbackLimitRange
        let message = "limit must be an integer from \(range.lowerBound) to \(range.upperBound)"
        switch value {
        case .integer(let n) where range.contains(Int(clamping: n)): return Int(n)
        case .number(let x) where x.rounded() == x && x >= Double(range.lowerBound) && x <= Double(range.upperBound): return Int(x)
        default: throw .badRequest("invalid_parameter", message)
        }
    }
}
