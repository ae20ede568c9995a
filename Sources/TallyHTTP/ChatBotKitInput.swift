import TallyDomain

/// One report's input on ChatBotKit's routes, checked by the rules of the report's input schema in
/// ChatBotKit's `report.json`: only the properties the schema lists (`additionalProperties: false`),
/// `periodDays` an integer above 0, and `userId` a string where the schema requires it.
///
/// Two rules are Tally's own, beyond the schema: `periodDays` is at most 365, the longest window
/// Tally reports on, and `userId` is an `Identifier`, as every tenant id is.
struct ChatBotKitInput: Equatable {
    var periodDays = ReportWindow.defaultPeriodDays
    /// The tenant the input names (Total Contacts only).
    var userId: String?

    static func parse(_ fields: [String: JSONValue], shape: ChatBotKitShape) throws(APIError) -> ChatBotKitInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: shape.inputProperties, hint: (
            property: "userId", text: "this report's input names no tenant: a platform-wide key names it with ?userId= in the query"))
        var input = ChatBotKitInput()
        if let value = fields["periodDays"] { input.periodDays = try periodDays(value) }
        if shape.requiresUserId {
            switch fields["userId"] {
            case nil: throw .badRequest("missing_parameter", "userId is required by this report's input")
            case .string(let userId)? where Identifier.isValid(userId): input.userId = userId
            default: throw .badRequest("invalid_parameter", "userId must be a string of 1 to 128 characters without control characters")
            }
        }
        return input
    }

    /// An integer above 0 and at most 365. JSON Schema counts a number without a fraction, such
    /// as `30.0`, as an integer, so it is accepted too.
    static func periodDays(_ value: JSONValue) throws(APIError) -> Int {
        let days: Double
        switch value {
        case .integer(let n): days = Double(n)
        case .number(let x) where x.rounded() == x: days = x
        default: throw .badRequest("invalid_parameter", "periodDays must be an integer greater than 0")
        }
        guard days > 0 else { throw .badRequest("invalid_parameter", "periodDays must be an integer greater than 0") }
        let longest = ReportWindow.periodDaysRange.upperBound
        guard days <= Double(longest) else {
            throw .badRequest("invalid_parameter", "periodDays must be at most \(longest): Tally keeps report windows of up to \(longest) days")
        }
        return Int(days)
    }
}
