import Foundation

/// Building clocks from the system's tzdata, once per zone.
///
/// The only use of Foundation's `TimeZone` in the domain: it is consulted when a clock is built
/// (a few hundred transitions per zone, 1970 to 2200), never per event.
extension LocalClock {
    /// The clock of an IANA zone name (`Europe/Berlin`, `America/New_York`, `UTC`), or nil for
    /// anything the system's tzdata does not name, abbreviations and raw offsets included.
    public init?(timeZoneIdentifier identifier: String) {
        if identifier == "UTC" { self = .utc; return }
        if let cached = ClockCache.shared.clock(identifier) { self = cached; return }
        guard Self.isKnown(identifier), let zone = TimeZone(identifier: identifier) else { return nil }
        let clock = Self.build(identifier, zone)
        ClockCache.shared.store(clock)
        self = clock
    }

    /// Whether `identifier` names a zone this system knows.
    public static func isKnown(_ identifier: String) -> Bool {
        identifier == "UTC" || knownIdentifiers.contains(identifier) || isRegionalName(identifier)
    }

    /// The IANA names of the system's tzdata, as Foundation lists them.
    public static let knownIdentifiers: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])

    /// Whether `identifier` is an `Area/Location` name of a listed area (`Asia`, `Europe`, …) that
    /// the tzdata resolves. Foundation's list on Linux comes from ICU, which keeps some zones under
    /// an older spelling only (`Asia/Calcutta`, not the current `Asia/Kolkata`), yet the tzdata
    /// has both; abbreviations and offsets (`EST`, `GMT+5`) have no area and stay unknown.
    private static func isRegionalName(_ identifier: String) -> Bool {
        guard let slash = identifier.firstIndex(of: "/"), regionalAreas.contains(String(identifier[..<slash])) else { return false }
        return TimeZone(identifier: identifier) != nil
    }

    /// The areas of the listed `Area/Location` names, without `Etc` (offsets such as `Etc/GMT+5`).
    private static let regionalAreas: Set<String> = Set(knownIdentifiers.compactMap { name in
        name.firstIndex(of: "/").map { String(name[..<$0]) }
    }).subtracting(["Etc"])

    private static func build(_ identifier: String, _ zone: TimeZone) -> LocalClock {
        let first = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01
        var starts: [Int64] = [Int64.min]
        var offsets: [Int32] = [Int32(zone.secondsFromGMT(for: first))]
        var cursor = first
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end, next > cursor {
            let offset = Int32(zone.secondsFromGMT(for: next))
            if offset != offsets.last { starts.append(Int64(next.timeIntervalSince1970.rounded(.down))); offsets.append(offset) }
            cursor = next
        }
        return LocalClock(identifier: identifier, starts: starts, offsets: offsets)
    }
}

/// Clocks already built, by identifier: a zone's table is built once per process.
private final class ClockCache: @unchecked Sendable {
    static let shared = ClockCache()
    private let lock = NSLock()
    private var clocks: [String: LocalClock] = [:]

    func clock(_ identifier: String) -> LocalClock? { lock.withLock { clocks[identifier] } }
    func store(_ clock: LocalClock) { lock.withLock { clocks[clock.identifier] = clock } }
}
