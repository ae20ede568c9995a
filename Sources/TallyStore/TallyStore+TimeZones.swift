import Foundation
import GRDB
import TallyDomain

/// The zone each tenant's rollups are bucketed in (`tenant_time_zones`).
///
/// This is the *active* zone, a fact about the rollups: the fold buckets a tenant's events by it
/// and the reports read their days by it. It changes only where a tenant's rollups are replaced
/// whole: on a new store before a rebuild replays into it, and when a partial rebuild's tenant is
/// transplanted into a copy of the live store (which then becomes the live store). The zone a
/// tenant asked for lives in the settings store; `serve` rebuilds the tenant when they differ.
extension TallyStore {
    /// One tenant's recorded zone.
    public struct TenantZone: Sendable, Equatable {
        /// The IANA name.
        public var identifier: String
        /// With a rebuild that kept older days: the first day in `identifier`, the days before it
        /// being in the zone the tenant had before.
        public var fromDay: Day?

        public init(identifier: String, fromDay: Day? = nil) {
            self.identifier = identifier
            self.fromDay = fromDay
        }
    }

    /// Every tenant's clock, as the fold and the reports use it.
    public var tenantClocks: TenantClocks { clockBox.clocks }

    /// The clock of tenant `userId` (UTC when it has none).
    public func clock(forTenant userId: String) -> LocalClock { clockBox.clocks.clock(forTenant: userId) }

    /// The recorded zones of tenants outside UTC, by `userId`.
    public func tenantZones() throws(StoreError) -> [String: TenantZone] {
        try read { db in try Self.readZones(db) }
    }

    /// Records the zone `tenant`'s rollups are bucketed in; UTC without `fromDay` deletes the row.
    /// Only for a store whose rollups of the tenant are (re)built in that zone: a rebuild's new
    /// store before its replay.
    public func setTenantZone(_ tenant: String, _ zone: TenantZone) throws(StoreError) {
        guard LocalClock.isKnown(zone.identifier) else { throw StoreError(.writeFailed, "unknown time zone '\(zone.identifier)'") }
        try write { db in try Self.saveZone(tenant, zone, db: db) }
        try reloadClocks()
    }

    /// Copies every tenant's zone of `other` (the live store) into this new store, so a rebuild
    /// buckets each tenant as the live store does.
    public func adoptTenantZones(from other: TallyStore) throws(StoreError) {
        let zones = try other.tenantZones()
        try write { db in
            try db.execute(sql: "DELETE FROM tenant_time_zones")
            for (tenant, zone) in zones { try Self.saveZone(tenant, zone, db: db) }
        }
        try reloadClocks()
    }

    /// Reads the table into the clocks the fold uses. A zone the system's tzdata no longer knows
    /// is an error: bucketing the tenant in UTC instead would corrupt its days silently.
    func reloadClocks() throws(StoreError) {
        let zones = try read { db in try Self.readZones(db) }
        var clocks = TenantClocks()
        for (tenant, zone) in zones {
            guard let clock = LocalClock(timeZoneIdentifier: zone.identifier) else {
                throw StoreError(.corrupt, "tenant '\(tenant)' is bucketed in time zone '\(zone.identifier)', which this system's tzdata does not know")
            }
            clocks.set(clock, forTenant: tenant)
        }
        clockBox.clocks = clocks
    }

    static func readZones(_ db: Database) throws -> [String: TenantZone] {
        var zones: [String: TenantZone] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT tenant, time_zone, from_day FROM tenant_time_zones") {
            zones[row[0]] = TenantZone(identifier: row[1], fromDay: (row[2] as Int32?).map(Day.init(number:)))
        }
        return zones
    }

    static func saveZone(_ tenant: String, _ zone: TenantZone?, db: Database) throws {
        guard let zone, zone.identifier != "UTC" || zone.fromDay != nil else {
            try db.execute(sql: "DELETE FROM tenant_time_zones WHERE tenant = ?", arguments: [tenant])
            return
        }
        try db.execute(sql: "INSERT OR REPLACE INTO tenant_time_zones (tenant, time_zone, from_day) VALUES (?, ?, ?)",
                       arguments: [tenant, zone.identifier, zone.fromDay?.number])
    }
}

/// The store's tenant clocks, shared by the writer and the readers of one process.
final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = TenantClocks()

    var clocks: TenantClocks {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

extension TallyStore {
    /// Whether the store holds any rollup of `tenant` (its own or a slice's), off the caller's thread.
    public func hasRollups(tenant: String) async throws(StoreError) -> Bool {
        try await readAsync { db in try Self.holdsRollups(of: tenant, db: db) }
    }

    /// Whether any counter row of `tenant` or of one of its slices, or any of its members, exists.
    static func holdsRollups(of tenant: String, db: Database) throws -> Bool {
        let bounds = RollupScope.keyBounds(tenant: tenant)
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM daily_counters WHERE tenant = ?) OR EXISTS (SELECT 1 FROM daily_counters WHERE tenant > ? AND tenant < ?)
                OR EXISTS (SELECT 1 FROM members WHERE tenant = ?)
            """, arguments: [tenant, bounds.lower, bounds.upper, tenant]) ?? true
    }
}

extension TallyStore {
    /// The recorded zone of one tenant, nil for UTC; off the caller's thread.
    public func tenantZoneAsync(_ tenant: String) async throws(StoreError) -> TenantZone? {
        try await readAsync { db in try Self.readZones(db)[tenant] }
    }
}

extension TallyStore {
    /// Records `zone` for a tenant this store holds nothing of, and returns true; returns false
    /// (changing nothing) when it holds some of its rollups, which only a rebuild may re-bucket.
    ///
    /// The clocks change inside the write, and this process's writes run one after the other, so
    /// every batch applied after it folds the tenant's events in the new zone.
    public func setTenantZoneIfEmpty(_ tenant: String, _ zone: TenantZone) throws(StoreError) -> Bool {
        guard let clock = LocalClock(timeZoneIdentifier: zone.identifier) else { throw StoreError(.writeFailed, "unknown time zone '\(zone.identifier)'") }
        return try write { db in
            guard try !Self.holdsRollups(of: tenant, db: db) else { return false }
            try Self.saveZone(tenant, TenantZone(identifier: zone.identifier), db: db)
            var clocks = self.clockBox.clocks
            clocks.set(clock, forTenant: tenant)
            self.clockBox.clocks = clocks
            return true
        }
    }
}
