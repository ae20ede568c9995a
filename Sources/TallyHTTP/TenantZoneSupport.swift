import TallyDomain

/// What the tenant routes need from the process that serves them, beyond the two stores: whether
/// the topics still hold what the rollups counted (a zone change re-buckets from them), and the
/// progress of a running re-bucketing. `serve` provides both; tests stub them.
public struct TenantZoneSupport: Sendable {
    /// Whether the topics still hold every event the rollup store counted.
    public enum Coverage: Sendable, Equatable {
        case complete
        /// Some is gone (retention, a recreated topic), or it could not be found out; says which.
        case incomplete(String)
    }

    public var historyCoverage: @Sendable () async -> Coverage
    /// The re-bucketing of a tenant, while one runs or after one failed.
    public var progress: @Sendable (String) -> RebucketProgress?
    /// Called after a tenant's zone was set, so the reconciler need not wait for its next look.
    public var changed: @Sendable () -> Void

    public init(historyCoverage: @escaping @Sendable () async -> Coverage = { .complete },
                progress: @escaping @Sendable (String) -> RebucketProgress? = { _ in nil },
                changed: @escaping @Sendable () -> Void = {}) {
        self.historyCoverage = historyCoverage
        self.progress = progress
        self.changed = changed
    }
}
