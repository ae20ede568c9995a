import Hummingbird
import TallyDomain
import TallySettings
import TallyStore

/// `GET` and `PUT /api/v1/platform/tenants/{userId}`: a tenant's time zone and where its change
/// stands.
///
/// The zone a tenant asks for is user-made and goes to the settings store as a command; the zone
/// its rollups are bucketed in belongs to the rollup store. `serve` re-buckets a tenant whose two
/// zones differ by rebuilding it from the topics, and until that rebuild switches in, reports
/// answer in the old zone (and say so).
struct TenantsController {
    let stores: StoreHolder
    let settings: SettingsStore
    let support: TenantZoneSupport
    let today: TenantToday

    static let allowedProperties = ["timeZone", "rebucketFrom"]

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.get("platform/tenants", use: list)
        group.get("platform/tenants/:userId", use: get)
        group.put("platform/tenants/:userId", use: put)
    }

    /// The answer of both routes.
    struct Body: Encodable {
        struct Progress: Encodable {
            var percent: Int
            var events: Int
        }

        var userId: String
        /// The zone the tenant asked for (UTC when it never set one).
        var timeZone: String
        /// The zone its rollups, and so its reports, are in now.
        var activeTimeZone: String
        /// `active` (reports are in `timeZone`), `pending` (a re-bucketing will start, or will be
        /// tried again after `lastError`) or `rebuilding` (with `progress`).
        var state: String
        var rebucketFrom: String?
        /// The first day in the active zone when older days were left in the previous one.
        var activeFrom: String?
        var progress: Progress?
        var lastError: String?
    }

    /// `GET /api/v1/platform/tenants`: the tenants with counters, `{"items": [{"userId"}]}`; a
    /// tenant key sees only its own tenant (whether or not it has counters yet).
    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        struct Item: Encodable { var userId: String }
        struct List: Encodable {
            var items: [Item]
            /// The key's own tenant, or null for a platform-wide key (which may pick any).
            var keyUserId: String?
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(items, forKey: .items)
                try container.encode(keyUserId, forKey: .keyUserId)
            }
            enum CodingKeys: String, CodingKey { case items, keyUserId }
        }
        let ids: [String]
        if let own = key.userId {
            ids = [own]
        } else {
            do { ids = try await (context.store ?? stores.current).tenantIds() } catch {
                throw APIError(.serviceUnavailable, code: error.code.rawValue, "the rollup store could not be read; try again")
            }
        }
        return JSONResponse.make(body: List(items: ids.map { Item(userId: $0) }, keyUserId: key.userId))
    }

    @Sendable func get(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let userId = try Self.userId(context)
        _ = try TenantSelection.tenant(for: key, asked: userId, missing: "")
        return JSONResponse.make(body: try await body(userId, store: context.store ?? stores.current, context: context))
    }

    @Sendable func put(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let userId = try Self.userId(context)
        guard key.role.isAdministrative else {
            throw APIError(.forbidden, code: "forbidden_role", "setting a tenant's time zone needs a key with role admin or report_admin; this key is \(key.role.rawValue)")
        }
        _ = try TenantSelection.tenant(for: key, asked: userId, missing: "")
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        try JSONRequestBody.refuseUnknown(fields, allowed: Self.allowedProperties)
        guard case .string(let zone)? = fields["timeZone"] else {
            throw fields["timeZone"] == nil ? APIError.badRequest("missing_parameter", "timeZone is required, an IANA time zone name such as Europe/Berlin or UTC")
                : APIError.badRequest("invalid_parameter", "timeZone must be a string, an IANA time zone name such as Europe/Berlin or UTC")
        }
        guard let clock = LocalClock(timeZoneIdentifier: zone) else {
            throw APIError.badRequest("invalid_parameter", "timeZone '\(zone.prefix(64))' is not an IANA time zone name such as Europe/Berlin or UTC")
        }
        var rebucketFrom: Day?
        switch fields["rebucketFrom"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let day = Day(iso: text) else { throw APIError.badRequest("invalid_parameter", "rebucketFrom must be a date as YYYY-MM-DD, not '\(text.prefix(32))'") }
            guard day <= today.day(for: clock) else { throw APIError.badRequest("invalid_parameter", "rebucketFrom \(day.iso) lies in the future") }
            rebucketFrom = day
        default:
            throw APIError.badRequest("invalid_parameter", "rebucketFrom must be a date as YYYY-MM-DD")
        }
        let store = context.store ?? stores.current
        let active = try await Self.activeZone(userId, store: store, context: context)
        if zone != active.identifier, rebucketFrom == nil {
            let hasHistory: Bool
            do throws(StoreError) { hasHistory = try await store.hasRollups(tenant: userId) } catch { throw Self.unreadable(error, context: context) }
            if hasHistory, case .incomplete(let reason) = await support.historyCoverage() {
                if let audit = context.audit {
                    _ = try? await AuditRecorder(settings: settings).record(
                        .tenantTimeZoneSet, target: zone, userId: userId, outcome: "history_incomplete", context: audit)
                }
                throw APIError(.conflict, code: "history_incomplete", """
                    the topics no longer hold the whole history of tenant '\(userId)' (\(reason)), so its older days cannot be counted again in \(zone); \
                    send rebucketFrom (YYYY-MM-DD) to re-bucket from that day on and keep the days before it in \(active.identifier)
                    """)
            }
        }
        do throws(SettingsError) {
            try settings.setTenantTimeZone(userId: userId, timeZone: zone, rebucketFrom: zone == active.identifier ? nil : rebucketFrom,
                                           audit: context.audit)
        } catch {
            context.logger.error("tenant time zone not saved", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be written; try again")
        }
        support.changed()
        return JSONResponse.make(body: try await body(userId, store: store, context: context))
    }

    private func body(_ userId: String, store: TallyStore, context: TallyRequestContext) async throws(APIError) -> Body {
        let desired: SettingsStore.TenantTimeZone?
        do throws(SettingsError) { desired = try await settings.tenantTimeZone(userId: userId) } catch {
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be read; try again")
        }
        let active = try await Self.activeZone(userId, store: store, context: context)
        let zone = desired?.timeZone ?? "UTC"
        var body = Body(userId: userId, timeZone: zone, activeTimeZone: active.identifier, state: "active",
                        rebucketFrom: desired?.rebucketFrom?.iso, activeFrom: active.fromDay?.iso)
        guard zone != active.identifier else { return body }
        body.state = "pending"
        if let progress = support.progress(userId), progress.timeZone == zone {
            if progress.running {
                body.state = "rebuilding"
                body.progress = .init(percent: progress.percent, events: progress.events)
            }
            body.lastError = progress.lastError
        }
        return body
    }

    static func activeZone(_ userId: String, store: TallyStore, context: TallyRequestContext) async throws(APIError) -> TallyStore.TenantZone {
        do throws(StoreError) {
            return try await store.tenantZoneAsync(userId) ?? TallyStore.TenantZone(identifier: "UTC")
        } catch {
            throw unreadable(error, context: context)
        }
    }

    private static func userId(_ context: TallyRequestContext) throws(APIError) -> String {
        let userId = context.parameters.decoded("userId")
        guard Identifier.isValid(userId) else {
            throw APIError.badRequest("invalid_parameter", "userId must be 1 to 128 characters without control characters")
        }
        return userId
    }

    private static func unreadable(_ error: StoreError, context: TallyRequestContext) -> APIError {
        context.logger.error("tenant zone read failed", metadata: ["error": "\(error)"])
        return APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
    }
}
