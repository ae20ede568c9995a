import Foundation
import TallyDomain

/// The body of `POST /api/v1/report/{reportId}/fetch`, validated field by field so that a bad
/// request says which parameter is wrong and why.
struct FetchRequest {
    static let maximumBodyBytes = JSONRequestBody.maximumBytes

    /// Every property the body may carry, the one place to extend when the route learns one; any
    /// other property is refused with 400 `invalid_parameter` naming it.
    static let allowedProperties = ["userId", "periodDays", "endDate", "botId", "channel", "groupBy"]

    var userId: String?
    var periodDays: Int = ReportWindow.defaultPeriodDays
    var endDate: Day?
    /// The one slice the report is computed for (a bot or a channel), if any.
    var slice: (dimension: RollupScope.Dimension, value: String)?
    /// The dimension whose values each get a group in the answer, if any.
    var groupBy: RollupScope.Dimension?
    /// The properties a report takes beyond these (`extraProperties` of `parse`), unread.
    var extras: [String: JSONValue] = [:]

    /// The storage key the report reads: the tenant's, or its slice's.
    func storageKey(tenant: String) -> String {
        guard let slice else { return tenant }
        return RollupScope.key(tenant: tenant, slice.dimension, slice.value)
    }

    /// Parses a body; an empty body means all defaults. A property outside `allowedProperties` is
    /// refused, so that a misspelt parameter never answers as if it had been left out.
    ///
    /// - Parameter extraProperties: properties the report takes beyond `allowedProperties`, left
    ///   in `extras` for it to read.
    /// - Parameter defaultPeriodDays: `periodDays` when the body leaves it out: the report's own
    ///   default (30 for most, 7 for Bot Alerts and Platform Overview, as ChatBotKit's schemas say).
    static func parse(_ bytes: [UInt8], extraProperties: [String] = [],
                      defaultPeriodDays: Int = ReportWindow.defaultPeriodDays) throws(APIError) -> FetchRequest {
        var request = FetchRequest()
        request.periodDays = defaultPeriodDays
        let fields = try JSONRequestBody.object(bytes)
        try JSONRequestBody.refuseUnknown(fields, allowed: allowedProperties + extraProperties)
        request.extras = fields.filter { extraProperties.contains($0.key) }

        switch fields["userId"] {
        case nil, .null?: break
        case .string(let userId)? where Identifier.isValid(userId): request.userId = userId
        default: throw .badRequest("invalid_parameter", "userId must be a string of 1 to 128 characters without control characters")
        }
        for dimension in RollupScope.Dimension.allCases {
            switch fields[dimension.rawValue] {
            case nil, .null?: continue
            case .string(let value)? where Identifier.isValid(value):
                if let other = request.slice {
                    throw .badRequest("invalid_parameter", "\(other.dimension.rawValue) and \(dimension.rawValue) cannot be combined: a report is sliced by one of them")
                }
                request.slice = (dimension, value)
            default:
                throw .badRequest("invalid_parameter", "\(dimension.rawValue) must be a string of 1 to 128 characters without control characters")
            }
        }
        switch fields["groupBy"] {
        case nil, .null?: break
        case .string(let name)?:
            guard let dimension = RollupScope.Dimension(rawValue: name) else {
                throw .badRequest("invalid_parameter", "groupBy must be one of \(RollupScope.Dimension.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            }
            if let slice = request.slice {
                throw .badRequest("invalid_parameter", "groupBy cannot be combined with \(slice.dimension.rawValue): groups are the tenant's bots or channels")
            }
            request.groupBy = dimension
        default:
            throw .badRequest("invalid_parameter", "groupBy must be one of \(RollupScope.Dimension.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
        }
        switch fields["periodDays"] {
        case nil, .null?: break
        case .integer(let days)? where ReportWindow.periodDaysRange.contains(Int(days)): request.periodDays = Int(days)
        default: throw .badRequest("invalid_parameter", "periodDays must be an integer from 1 to 365")
        }
        switch fields["endDate"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let day = Day(iso: text) else { throw .badRequest("invalid_parameter", "endDate must be a calendar date as YYYY-MM-DD") }
            request.endDate = day
        default: throw .badRequest("invalid_parameter", "endDate must be a calendar date as YYYY-MM-DD")
        }
        // A period reaching back before year 0 would answer days that YYYY-MM-DD cannot write.
        if let end = request.endDate, end.advanced(by: -(request.periodDays - 1)) < earliestDay {
            throw .badRequest("invalid_parameter", "endDate \(end.iso) is too early for periodDays \(request.periodDays): the period would begin before 0000-01-01")
        }
        return request
    }

    /// The first day a period may cover: the first one `Day.iso` writes as four digits.
    static let earliestDay = Day(year: 0, month: 1, day: 1)!
}
