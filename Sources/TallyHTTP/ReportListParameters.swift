import TallyDomain
import TallyReports
import TallySettings

/// The query of `GET /api/v1/reports`: filters `type`, `status`, `created_after`, `created_before`
/// (RFC 3339 or YYYY-MM-DD, exclusive) and `user_id`; `limit` (default 20, at most 100),
/// `offset`, `sort` (`created_at`, `name`, `type`) and `order` (`asc`, `desc`; default desc).
enum ReportListParameters {
    static let allowed = ["type", "status", "created_after", "created_before", "user_id", "limit", "offset", "sort", "order"]

    static func parse(names: [String], _ value: (String) -> String?) throws(APIError) -> SettingsStore.ReportJobQuery {
        if let unknown = names.filter({ !allowed.contains($0) }).min() {
            throw .badRequest("invalid_parameter", "unknown parameter '\(unknown.prefix(64))'; known parameters: \(allowed.joined(separator: ", "))")
        }
        func given(_ name: String) -> String? { value(name).flatMap { $0.isEmpty ? nil : $0 } }
        var query = SettingsStore.ReportJobQuery()
        if let type = given("type") {
            guard ReportType(rawValue: type) != nil else {
                throw .badRequest("unknown_type", "unknown report type '\(type.prefix(64))'; valid types: \(ReportType.validList)")
            }
            query.type = type
        }
        if let status = given("status") {
            guard let state = ReportJob.State(rawValue: status) else {
                throw .badRequest("invalid_parameter", "status must be one of \(ReportJob.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.state = state
        }
        for (name, apply) in [("created_after", { (q: inout SettingsStore.ReportJobQuery, m: Int64) in q.createdAfterMillis = m }),
                              ("created_before", { (q: inout SettingsStore.ReportJobQuery, m: Int64) in q.createdBeforeMillis = m })] {
            guard let text = given(name) else { continue }
            guard let millis = RFC3339.epochMilliseconds(text) ?? Day(iso: text).map({ Int64($0.number) * 86_400_000 }) else {
                throw .badRequest("invalid_parameter", "\(name) must be an RFC 3339 time such as 2026-01-31T12:00:00Z or a date as YYYY-MM-DD")
            }
            apply(&query, millis)
        }
        if let userId = given("user_id") {
            guard Identifier.isValid(userId) else { throw .badRequest("invalid_parameter", "user_id must be 1 to 128 characters without control characters") }
            query.userId = userId
        }
        if let limit = given("limit") {
            guard let n = Int(limit), (1...100).contains(n) else { throw .badRequest("invalid_parameter", "limit must be an integer from 1 to 100") }
            query.limit = n
        }
        if let offset = given("offset") {
            guard let n = Int(offset), n >= 0 else { throw .badRequest("invalid_parameter", "offset must be a non-negative integer") }
            query.offset = n
        }
        if let sort = given("sort") {
            guard let known = SettingsStore.ReportJobQuery.Sort(rawValue: sort) else {
                throw .badRequest("invalid_parameter", "sort must be one of created_at, name, type")
            }
            query.sort = known
        }
        if let order = given("order") {
            switch order {
            case "asc": query.descending = false
            case "desc": query.descending = true
            default: throw .badRequest("invalid_parameter", "order must be asc or desc")
            }
        }
        return query
    }
}
