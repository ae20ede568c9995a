/// Each tenant's clock: the zone its rollups are bucketed in. Tenants not listed are UTC.
///
/// A slice's rollups (`RollupScope`) are its tenant's, in its tenant's days, so a storage key is
/// resolved through its owner. Most deployments have no zoned tenant at all, and then the fold
/// takes the UTC path without a lookup.
public struct TenantClocks: Sendable, Equatable {
    /// The clocks of tenants outside UTC, by `userId`.
    public private(set) var clocks: [String: LocalClock]

    public init(_ clocks: [String: LocalClock] = [:]) {
        self.clocks = clocks.filter { !$0.value.isUTC }
    }

    /// True when every tenant is in UTC.
    public var isEmpty: Bool { clocks.isEmpty }

    /// The clock of tenant `userId`.
    @inline(__always)
    public func clock(forTenant userId: String) -> LocalClock {
        clocks.isEmpty ? .utc : clocks[userId] ?? .utc
    }

    /// The clock of a storage key: its owner tenant's.
    public func clock(forKey key: String) -> LocalClock {
        clocks.isEmpty ? .utc : clock(forTenant: RollupScope.owner(ofKey: key))
    }

    /// The local day `event` counts in for its tenant.
    public func day(of event: Event) -> Day { clock(forTenant: event.userId).day(epochMillis: event.occurredAtMillis) }

    /// Sets (or, with UTC, clears) a tenant's clock.
    public mutating func set(_ clock: LocalClock, forTenant userId: String) {
        clocks[userId] = clock.isUTC ? nil : clock
    }
}
