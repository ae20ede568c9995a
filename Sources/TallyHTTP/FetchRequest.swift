import Foundation
import TallyDomain

/// The body of `POST /api/v1/report/{reportId}/fetch`, validated field by field so that a bad
/// request says which parameter is wrong and why.
struct FetchRequest: Equatable {
    static let maximumBodyBytes = JSONRequestBody.maximumBytes

    /// Every property the body may carry, the one place to extend when the route learns one; any
    /// other property is refused with 400 `invalid_parameter` naming it.
    static let allowedProperties = ["userId", "periodDays", "endDate"]

    var userId: String?
    var periodDays: Int = ReportWindow.defaultPeriodDays
    var endDate: Day?

    /// Parses a body; an empty body means all defaults. A property outside `allowedProperties` is
    /// refused, so that a misspelt parameter never answers as if it had been left out.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> FetchRequest {
        var request = FetchRequest()
        let fields = try JSONRequestBody.object(bytes)
        try JSONRequestBody.refuseUnknown(fields, allowed: allowedProperties)

        switch fields["userId"] {
        case nil, .null?: break
        case .string(let userId)? where (1...128).contains(userId.count): request.userId = userId
        default: throw .badRequest("invalid_parameter", "userId must be a string of 1 to 128 characters")
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
        return request
    }
}
