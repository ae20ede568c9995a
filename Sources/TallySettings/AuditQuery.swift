import TallyDomain

/// The filters of an audit listing, parsed the same way for `GET /api/v1/platform/audit` and
/// `tally audit list`, so a value one accepts the other accepts too.
public struct AuditQuery: Sendable, Equatable {
    /// A parameter that does not parse, or one the listing does not know.
    public struct Invalid: Error, Sendable, Equatable {
        /// `invalid_parameter`, as every other route answers a bad parameter.
        public var code = "invalid_parameter"
        public var message: String
    }

    /// The query parameters, in the order error messages list them.
    public static let parameterNames = ["since", "until", "action", "actor", "user_id", "limit", "offset"]
    public static let limitRange = 1...1000
    public static let defaultLimit = 100
    public static let maximumOffset = 1_000_000_000
    public static let timeFormat = "a date YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time with offset, e.g. 2026-05-01T08:00:00Z"

    /// Entries at or after this instant (ms since the epoch).
    public var sinceMillis: Int64?
    /// Entries before this instant.
    public var untilMillis: Int64?
    public var action: String?
    /// An actor id: a key id or `cli:<user>`.
    public var actor: String?
    /// The tenant.
    public var userId: String?
    public var limit = AuditQuery.defaultLimit
    public var offset = 0

    public init(sinceMillis: Int64? = nil, untilMillis: Int64? = nil, action: String? = nil, actor: String? = nil, userId: String? = nil,
                limit: Int = AuditQuery.defaultLimit, offset: Int = 0) {
        self.sinceMillis = sinceMillis
        self.untilMillis = untilMillis
        self.action = action
        self.actor = actor
        self.userId = userId
        self.limit = limit
        self.offset = offset
    }

    /// Parses the named parameters; an empty value means the default. `names` are every parameter
    /// the request carries, so that a misspelt one (`userId`, `sinse`) is refused rather than
    /// answered as if it had been left out.
    public static func parse(names: some Sequence<String>, value: (String) -> String?) throws(Invalid) -> AuditQuery {
        if let unknown = names.filter({ !parameterNames.contains($0) }).min() {
            throw Invalid(message: "unknown parameter '\(unknown.prefix(64))'; known parameters: \(parameterNames.joined(separator: ", "))")
        }
        func text(_ name: String) -> String? { value(name).flatMap { $0.isEmpty ? nil : $0 } }
        var query = AuditQuery()
        query.sinceMillis = try time(text("since"), "since")
        query.untilMillis = try time(text("until"), "until")
        if let since = query.sinceMillis, let until = query.untilMillis, until < since {
            throw Invalid(message: "until must not be before since")
        }
        for (name, keyPath) in [("action", \AuditQuery.action), ("actor", \.actor), ("user_id", \.userId)] as [(String, WritableKeyPath<AuditQuery, String?>)] {
            guard let given = text(name) else { continue }
            guard Identifier.isValid(given) else { throw Invalid(message: "\(name) must be 1 to 128 characters without control characters") }
            query[keyPath: keyPath] = given
        }
        if let limit = text("limit") {
            guard let number = Int(limit), limitRange.contains(number) else {
                throw Invalid(message: "limit must be an integer from \(limitRange.lowerBound) to \(limitRange.upperBound)")
            }
            query.limit = number
        }
        if let offset = text("offset") {
            guard let number = Int(offset), (0...maximumOffset).contains(number) else {
                throw Invalid(message: "offset must be an integer from 0 to \(maximumOffset)")
            }
            query.offset = number
        }
        return query
    }

    /// A calendar date means its midnight UTC; anything longer must be RFC 3339 with an offset.
    public static func millis(_ text: String) -> Int64? {
        if text.utf8.count == 10 { return Day(iso: text).map { Int64($0.number) * 86_400_000 } }
        return RFC3339.epochMilliseconds(text)
    }

    private static func time(_ text: String?, _ name: String) throws(Invalid) -> Int64? {
        guard let text else { return nil }
        guard let millis = millis(text) else { throw Invalid(message: "\(name) must be \(timeFormat)") }
        return millis
    }
}
