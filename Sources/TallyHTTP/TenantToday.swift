import Foundation
import TallyDomain

/// Today for a tenant: the day of the current instant in the tenant's zone, where a report's
/// default period ends.
///
/// Tests pin `utcToday` to make UTC tenants' default windows reproducible; a zoned tenant's today
/// comes from `nowMillis`, which they can pin too.
public struct TenantToday: Sendable {
    public var utcToday: @Sendable () -> Day
    public var nowMillis: @Sendable () -> Int64

    public init(utcToday: @escaping @Sendable () -> Day = TallyApplication.utcToday,
                nowMillis: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.utcToday = utcToday
        self.nowMillis = nowMillis
    }

    /// Today on `clock`.
    public func day(for clock: LocalClock) -> Day {
        clock.isUTC ? utcToday() : clock.day(epochMillis: nowMillis())
    }
}
