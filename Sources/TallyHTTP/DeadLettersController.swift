import Hummingbird
import TallyDomain
import TallyStore

/// `GET /api/v1/platform/dead-letters`: what ingest rejected and why, for operators.
///
/// Dead letters hold raw payloads of every tenant, so only administrative roles on platform-wide
/// keys may read them; a tenant-bound key is refused even with an administrative role.
struct DeadLettersController {
    let stores: StoreHolder

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.get("platform/dead-letters", use: list)
    }

    struct Body: Encodable {
        var items: [StoredDeadLetter]
        /// Dead letters per code over the whole store (unresolved ones only when
        /// `includeResolved=false`), not just the page: the overview next to the detail.
        var counts: [String: Int]
    }

    /// The validated query string.
    struct Parameters: Equatable {
        var sinceMillis: Int64?
        var code: EventRejection.Code?
        var limit = DeadLetterQuery.defaultLimit
        var includeResolved = true

        /// Parses `since`, `code`, `limit` and `includeResolved`; an empty value means the default,
        /// anything else that does not parse is a 400 naming the parameter and what it accepts.
        static func parse(_ query: (String) -> Substring?) throws(APIError) -> Parameters {
            var parameters = Parameters()
            if let since = nonEmpty(query("since")) {
                guard let millis = DeadLetterQuery.sinceMillis(since) else {
                    throw .badRequest("invalid_parameter", "since must be \(DeadLetterQuery.sinceFormat)")
                }
                parameters.sinceMillis = millis
            }
            if let code = nonEmpty(query("code")) {
                guard let known = DeadLetterQuery.code(code) else {
                    throw .badRequest("invalid_parameter", "code must be one of \(DeadLetterQuery.validCodes)")
                }
                parameters.code = known
            }
            if let limit = nonEmpty(query("limit")) {
                let range = DeadLetterQuery.limitRange
                guard let number = Int(limit), range.contains(number) else {
                    throw .badRequest("invalid_parameter", "limit must be an integer from \(range.lowerBound) to \(range.upperBound)")
                }
                parameters.limit = number
            }
            if let include = nonEmpty(query("includeResolved")) {
                switch include {
                case "true": parameters.includeResolved = true
                case "false": parameters.includeResolved = false
                default: throw .badRequest("invalid_parameter", "includeResolved must be true or false")
                }
            }
            return parameters
        }

        private static func nonEmpty(_ value: Substring?) -> String? {
            guard let value, !value.isEmpty else { return nil }
            return String(value)
        }
    }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        guard key.role.isAdministrative else {
            throw APIError(.forbidden, code: "forbidden_role", "dead letters need a key with role admin or report_admin; this key is \(key.role.rawValue)")
        }
        guard key.userId == nil else {
            throw APIError(.forbidden, code: "forbidden_tenant", "dead letters span every tenant; use a platform-wide key")
        }
        let query = request.uri.queryParameters
        let parameters = try Parameters.parse { query[$0[...]] }
        do throws(StoreError) {
            let listing = try await (context.store ?? stores.current).deadLetterListingAsync(
                sinceMillis: parameters.sinceMillis, code: parameters.code?.rawValue, limit: parameters.limit,
                includeResolved: parameters.includeResolved)
            return JSONResponse.make(body: Body(items: listing.items, counts: listing.counts))
        } catch {
            context.logger.error("dead-letter listing failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
        }
    }
}
