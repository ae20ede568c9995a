import TallyDomain

/// The input of a tenant-wide report (`TenantReport`): over which days, and for Platform
/// Overview how many top bots and recent items.
///
/// On ChatBotKit's routes it is ChatBotKit's `{periodDays}` plus the report's own properties,
/// nothing else; on `/fetch` it is the seed's body, whose `botId`, `channel` and `groupBy` have no
/// meaning for a report of the whole tenant and are refused.
struct TenantReportInput: Sendable {
    var periodDays: Int
    var topBotsLimit = TenantReport.defaultTopBotsLimit
    /// Accepted and checked as ChatBotKit's schema states it; Tally has no work to list.
    var recentWorkLimit = TenantReport.defaultRecentWorkLimit

    init(report: TenantReport, periodDays: Int? = nil) {
        self.periodDays = periodDays ?? report.defaultPeriodDays
    }

    /// ChatBotKit's input, as its schema for the report states it.
    static func parseGenerate(_ fields: [String: JSONValue], report: TenantReport) throws(APIError) -> TenantReportInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: ["periodDays"] + report.extraInputProperties, hint: (
            property: "userId", text: "this report's input names no tenant: a platform-wide key names it with ?userId= in the query"))
        var input = TenantReportInput(report: report)
        if let value = fields["periodDays"] { input.periodDays = try ChatBotKitInput.periodDays(value) }
        try input.readLimits(fields)
        return input
    }

    /// The seed's fetch body, read by `FetchRequest` as for any report (parsed with the report's
    /// default `periodDays`); the report's own properties are in `extras`.
    static func parseFetch(_ request: FetchRequest, report: TenantReport) throws(APIError) -> TenantReportInput {
        if request.groupBy != nil {
            throw .badRequest("invalid_parameter", "groupBy does not apply to this report: its per-bot parts are part of the answer")
        }
        if let slice = request.slice {
            throw .badRequest("invalid_parameter", "\(slice.dimension.rawValue) does not apply to this report: it covers the whole tenant")
        }
        var input = TenantReportInput(report: report, periodDays: request.periodDays)
        try input.readLimits(request.extras)
        return input
    }

    private mutating func readLimits(_ fields: [String: JSONValue]) throws(APIError) {
        if let value = fields["topBotsLimit"] { topBotsLimit = try Self.limit("topBotsLimit", value) }
        if let value = fields["recentWorkLimit"] { recentWorkLimit = try Self.limit("recentWorkLimit", value) }
    }

    /// An integer from 1 to 20; as JSON Schema counts `5.0` as an integer, so does this.
    private static func limit(_ name: String, _ value: JSONValue) throws(APIError) -> Int {
        let range = TenantReport.listLimitRange
        switch value {
        case .integer(let n) where range.contains(Int(clamping: n)): return Int(n)
        case .number(let x) where x.rounded() == x && x >= Double(range.lowerBound) && x <= Double(range.upperBound): return Int(x)
        default: throw .badRequest("invalid_parameter", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
    }
}
