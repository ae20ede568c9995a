import Foundation

/// The live rollup store of a running server, replaceable at once when a rebuilt store takes over.
/// (API keys are not in it: they live in the settings store, which a switch never replaces.)
///
/// Each request takes `current` once and uses that store for its whole life, so a switch never
/// produces a failed or mixed answer: requests in flight finish on the old store, new ones start on
/// the new store.
public final class StoreHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var store: TallyStore

    public init(_ store: TallyStore) { self.store = store }

    /// The store new work should use.
    public var current: TallyStore { lock.withLock { store } }

    /// Makes `replacement` the store for all work that starts from now on.
    public func replace(with replacement: TallyStore) { lock.withLock { store = replacement } }
}
