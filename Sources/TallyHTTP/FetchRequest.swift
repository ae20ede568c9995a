import Foundation
import TallyDomain

/// The body of `POST /api/v1/report/{reportId}/fetch`, validated field by field so that a bad
/// request says which parameter is wrong and why.
struct FetchRequest: Equatable {
    static let maximumBodyBytes = 64 * 1024

    var userId: String?
    var periodDays: Int = ReportWindow.defaultPeriodDays
    var endDate: Day?

    /// Parses a body; an empty body means all defaults. Unknown fields are ignored.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> FetchRequest {
        var request = FetchRequest()
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return request }
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw .badRequest("invalid_json", "request body is not valid JSON")
        }
        guard case .object(let fields) = json else { throw .badRequest("invalid_json", "request body must be a JSON object") }

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
