/// The storage keys under which an event's rollups are kept: its tenant's, and one per slice.
///
/// A slice (one bot, one channel) is folded exactly as a tenant is, under a key of its own, so
/// that every rollup (counters, hourly messages, member bitmaps, first-seen contacts) exists per
/// slice with no second code path, and a sliced report is the report of the slice's events alone:
/// distinct counts stay exact within it. The tenant's own key is its `userId`, unchanged, so stores
/// written before slices existed read the same.
///
/// A slice key is `userId ␟ dimension ␟ value` with U+001F (unit separator) between the parts.
/// Identifiers cannot contain control characters (`Identifier`), so no tenant's key can equal or
/// fall among another tenant's slice keys.
public enum RollupScope {
    /// A dimension that reports can be sliced and grouped by.
    public enum Dimension: String, CaseIterable, Sendable {
        case botId
        case channel
    }

    static let separator: Character = "\u{1F}"

    /// The key of `tenant`'s slice for `value` of `dimension`.
    public static func key(tenant: String, _ dimension: Dimension, _ value: String) -> String {
        prefix(tenant: tenant, dimension) + value
    }

    /// The tenant that owns a storage key: the key itself for a tenant's own rollups.
    public static func owner(ofKey key: String) -> String {
        guard let end = key.firstIndex(of: separator) else { return key }
        return String(key[..<end])
    }

    /// The dimension value of a slice key of `dimension`, or nil for any other key.
    public static func value(ofKey key: String, tenant: String, _ dimension: Dimension) -> String? {
        let prefix = prefix(tenant: tenant, dimension)
        guard key.hasPrefix(prefix) else { return nil }
        return String(key.dropFirst(prefix.count))
    }

    /// Bounds of every slice key of `tenant` and `dimension` in SQLite's binary order:
    /// `lower < key < upper`. The upper bound ends with the character after the separator.
    public static func keyBounds(tenant: String, _ dimension: Dimension) -> (lower: String, upper: String) {
        let prefix = prefix(tenant: tenant, dimension)
        return (prefix, String(prefix.dropLast()) + "\u{20}")
    }

    /// Bounds of every slice key of `tenant`, whatever the dimension: `lower < key < upper`.
    public static func keyBounds(tenant: String) -> (lower: String, upper: String) {
        (tenant + String(separator), tenant + "\u{20}")
    }

    private static func prefix(tenant: String, _ dimension: Dimension) -> String {
        tenant + String(separator) + dimension.rawValue + String(separator)
    }
}
