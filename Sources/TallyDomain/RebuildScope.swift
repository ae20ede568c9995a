/// What a partial rebuild replaces: one tenant, a range of days, or both.
///
/// A rebuild replays whole partitions (Kafka cannot filter), so the scope is applied to each
/// message as it is read, and then decides which of the live store's rows the replay replaces.
/// Everything outside the scope stays exactly as the live store has it, which is how history older
/// than the topics' retention survives a rebuild of the days the topics still hold.
public struct RebuildScope: Sendable, Equatable, CustomStringConvertible {
    /// The only tenant (`userId`) rebuilt, or nil for every tenant.
    public var tenant: String?
    /// The first day rebuilt, or nil for no lower bound.
    public var firstDay: Day?
    /// The last day rebuilt (inclusive), or nil for no upper bound.
    public var lastDay: Day?

    public init(tenant: String? = nil, firstDay: Day? = nil, lastDay: Day? = nil) {
        self.tenant = tenant
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// True when the scope leaves nothing out: a full rebuild.
    public var isEverything: Bool { tenant == nil && firstDay == nil && lastDay == nil }

    /// True when the scope limits days (and not only tenants).
    public var isDateBounded: Bool { firstDay != nil || lastDay != nil }

    /// True when the rollups kept under `tenant` (a tenant's storage key, or one of its slices',
    /// see `RollupScope`) are rebuilt on some day.
    public func contains(tenant: String) -> Bool { self.tenant == nil || self.tenant == RollupScope.owner(ofKey: tenant) }

    /// True when `day` lies inside the range of days.
    public func contains(day: Day) -> Bool {
        if let firstDay, day < firstDay { return false }
        if let lastDay, day > lastDay { return false }
        return true
    }

    /// True when the rebuild replaces `tenant`'s rollups of `day`.
    public func contains(tenant: String, day: Day) -> Bool { contains(tenant: tenant) && contains(day: day) }

    /// True when a Kafka message with this key may hold an in-scope event. Messages are keyed by
    /// `userId`, so a tenant scope can drop other tenants' messages without decoding them; a
    /// message without a key is a rejection either way, and rejections are not the rebuild's business.
    public func admits(key: [UInt8]?) -> Bool {
        guard let tenant else { return true }
        guard let key else { return false }
        return key.elementsEqual(tenant.utf8)
    }

    /// E.g. `userId tenant-1, 2026-01-01 to 2026-01-31`; `everything` for a full rebuild.
    public var description: String {
        var parts: [String] = []
        if let tenant { parts.append("userId \(tenant)") }
        switch (firstDay, lastDay) {
        case let (first?, last?): parts.append("\(first.iso) to \(last.iso)")
        case let (first?, nil): parts.append("from \(first.iso)")
        case let (nil, last?): parts.append("through \(last.iso)")
        case (nil, nil): break
        }
        return parts.isEmpty ? "everything" : parts.joined(separator: ", ")
    }
}
