import Foundation
import TallyDomain

/// The oracle's slices and groups: a slice is the report of the tenant's events that carry one
/// bot id or channel, computed by the same naive loops over that subset of raw events.
extension ReportOracle {
    /// One expected group of a `groupBy` answer.
    public struct ExpectedGroup: Equatable, CustomStringConvertible {
        public var key: String
        public var value: Double
        public var change: Double

        public init(key: String, value: Double, change: Double) {
            self.key = key
            self.value = value
            self.change = change
        }

        public var description: String { "\(key): \(value) (\(change))" }
    }

    /// The value an event carries in `dimension`, if any.
    public static func value(of event: Event, _ dimension: RollupScope.Dimension) -> String? {
        switch dimension {
        case .botId: event.botId
        case .channel: event.channel
        }
    }

    /// The oracle of `tenant`'s events whose `dimension` is `value`.
    public func sliced(tenant: String, _ dimension: RollupScope.Dimension, _ value: String) -> ReportOracle {
        ReportOracle(events: (byTenant[tenant] ?? []).filter { Self.value(of: $0, dimension) == value }, timeZones: timeZones)
    }

    /// The groups a `groupBy` fetch must answer: one per value of `dimension` among the tenant's
    /// events of the period and the one before, largest value first, ties by key.
    public func expectedGroups(reportId: String, tenant: String, periodDays: Int, end: Day, groupBy dimension: RollupScope.Dimension) -> [ExpectedGroup]? {
        let previousStart = end.advanced(by: -(2 * periodDays - 1))
        let events = byTenant[tenant] ?? []
        let keys = Set(events.filter { day($0) >= previousStart && day($0) <= end }.compactMap { Self.value(of: $0, dimension) })
        var groups: [ExpectedGroup] = []
        for key in keys {
            guard let expected = sliced(tenant: tenant, dimension, key).expected(reportId: reportId, tenant: tenant, periodDays: periodDays, end: end) else {
                return nil
            }
            groups.append(ExpectedGroup(key: key, value: expected.value, change: expected.change))
        }
        return groups.sorted { a, b in
            let (x, y) = ((a.value * 100).rounded(), (b.value * 100).rounded())
            return x != y ? x > y : a.key < b.key
        }
    }
}

extension ReportOracle {
    /// A report as the code under test computes it: for a storage key (a tenant's or a slice's),
    /// a window and an optional dimension to group by.
    public typealias ComputeReport = (ReportDefinition, String, ReportWindow, RollupScope.Dimension?) throws -> ReportResult

    /// Compares every report, sliced by each value of each dimension (and one value never seen),
    /// and grouped by each dimension, with this oracle; returns the mismatches.
    public func sliceMismatches(tenants: [String], ends: [Day], periods: [Int],
                                values: [RollupScope.Dimension: [String]] = [.botId: ["bot-1", "bot-2", "bot-3", "bot-never"],
                                                                             .channel: ["web", "slack", "whatsapp", "api", "fax"]],
                                compute: ComputeReport) throws -> [String] {
        var found: [String] = []
        for tenant in tenants {
            for end in ends {
                for periodDays in periods {
                    let window = ReportWindow(periodDays: periodDays, end: end)
                    for report in ReportCatalog.all {
                        for (dimension, dimensionValues) in values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                            for value in dimensionValues {
                                let actual = ReportOracle.Expected(try compute(report, RollupScope.key(tenant: tenant, dimension, value), window, nil))
                                let expected = sliced(tenant: tenant, dimension, value).expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
                                if !(expected.map(actual.agrees) ?? false) {
                                    found.append("\(report.name) \(tenant) \(dimension)=\(value) \(periodDays)d to \(end.iso): \(actual) vs \(String(describing: expected))")
                                }
                            }
                            let grouped = try compute(report, tenant, window, dimension)
                            let plain = try compute(report, tenant, window, nil)
                            if (grouped.value, grouped.change, grouped.breakdown, grouped.heatmap) != (plain.value, plain.change, plain.breakdown, plain.heatmap) {
                                found.append("\(report.name) \(tenant) groupBy \(dimension): the tenant's figures changed")
                            }
                            let groups = (grouped.groups ?? []).map(ReportOracle.ExpectedGroup.init)
                            let expected = expectedGroups(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end, groupBy: dimension)
                            if !Self.groupsAgree(groups, expected, bound: self.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)?.relativeError) {
                                found.append("\(report.name) \(tenant) groupBy \(dimension) \(periodDays)d to \(end.iso): \(groups) vs \(String(describing: expected))")
                            }
                        }
                    }
                }
            }
        }
        return found
    }
}

extension ReportOracle {
    /// Groups agree exactly, or for a report of estimated percentiles within its bound: then the
    /// same keys, each value and change close, in any order (estimates may swap near neighbours).
    static func groupsAgree(_ actual: [ExpectedGroup], _ expected: [ExpectedGroup]?, bound: Double?) -> Bool {
        guard let expected else { return false }
        guard let bound else { return actual == expected }
        let exact = Dictionary(uniqueKeysWithValues: expected.map { ($0.key, $0) })
        guard Set(actual.map(\.key)) == Set(exact.keys) else { return false }
        return actual.allSatisfy { group in
            let want = exact[group.key]!
            return abs(group.value - want.value) <= bound * abs(want.value) + 0.01 + 1e-9
                && abs(group.change - want.change) <= bound * (abs(want.value) + abs(want.value - want.change)) + 0.02 + 1e-9
        }
    }
}

extension ReportOracle.ExpectedGroup {
    /// Converts a computed group into the oracle's plain-number form for comparison.
    public init(_ group: ReportResult.Group) {
        self.init(key: group.key, value: group.value.doubleValue, change: group.change.doubleValue)
    }
}
