import GRDB
import TallyDomain

/// Tenant time zones as tenants asked for them: made by `setTenantTimeZone` commands, read by
/// plain queries. This is the *desired* zone; the zone a tenant's rollups are bucketed in is the
/// rollup store's (`TallyStore.tenantZones`), and `serve` re-buckets a tenant when they differ.
extension SettingsStore {
    /// One tenant's desired zone.
    public struct TenantTimeZone: Sendable, Equatable {
        public var userId: String
        /// An IANA name, `UTC` by default.
        public var timeZone: String
        /// The first day the change re-buckets when the topics no longer hold older days.
        public var rebucketFrom: Day?
        public var setAtMillis: Int64

        public init(userId: String, timeZone: String, rebucketFrom: Day? = nil, setAtMillis: Int64) {
            self.userId = userId
            self.timeZone = timeZone
            self.rebucketFrom = rebucketFrom
            self.setAtMillis = setAtMillis
        }
    }

    /// Sets a tenant's desired zone through a `setTenantTimeZone` command. With `audit`, a
    /// `tenant.time_zone.set` entry (target: the zone, and `from <day>`) is committed with it.
    @discardableResult
    public func setTenantTimeZone(userId: String, timeZone: String, rebucketFrom: Day? = nil, audit: AuditContext? = nil) throws(SettingsError) -> TenantTimeZone {
        let setting = TenantTimeZone(userId: userId, timeZone: timeZone, rebucketFrom: rebucketFrom, setAtMillis: Self.nowMillis())
        let target = timeZone + (rebucketFrom.map { " from \($0.iso)" } ?? "")
        try apply(.setTenantTimeZone(userId: userId, timeZone: timeZone, rebucketFrom: rebucketFrom?.iso, setAtMillis: setting.setAtMillis),
                  audit: audit?.entry(.tenantTimeZoneSet, target: target, userId: userId, atMillis: setting.setAtMillis))
        return setting
    }

    /// Every tenant that set a zone (UTC included, once set), by `userId`.
    public func tenantTimeZones() throws(SettingsError) -> [TenantTimeZone] {
        try read { db in try Row.fetchAll(db, sql: "SELECT user_id, time_zone, rebucket_from, set_at FROM tenant_time_zones ORDER BY user_id").map(Self.zone) }
    }

    /// One tenant's desired zone, or nil when it never set one (it is in UTC); off the caller's thread.
    public func tenantTimeZone(userId: String) async throws(SettingsError) -> TenantTimeZone? {
        try await readAsync { db in
            try Row.fetchOne(db, sql: "SELECT user_id, time_zone, rebucket_from, set_at FROM tenant_time_zones WHERE user_id = ?",
                             arguments: [userId]).map(Self.zone)
        }
    }

    private static func zone(_ row: Row) -> TenantTimeZone {
        TenantTimeZone(userId: row[0], timeZone: row[1], rebucketFrom: (row[2] as String?).flatMap(Day.init(iso:)), setAtMillis: row[3])
    }
}
