import Foundation
import TallyDomain

/// Tells listeners which tenants each committed ingest batch touched, after its transaction has
/// committed: the live dashboard's event stream (`GET /api/v1/platform/events`) refetches on it.
///
/// The data path stays one way: the writer tells the notifier once the store holds the batch, and
/// never waits on a listener (a listener only records the news and wakes its own task), so a slow
/// or stuck browser cannot slow ingest down. With no listener, the writer skips even the summary.
public final class CommitNotifier: @unchecked Sendable {
    /// What one committed batch (or several, once coalesced) did to one tenant.
    public struct TenantCommit: Sendable, Equatable {
        public var conversations = 0
        public var messages = 0
        public var ratings = 0

        public init(conversations: Int = 0, messages: Int = 0, ratings: Int = 0) {
            self.conversations = conversations
            self.messages = messages
            self.ratings = ratings
        }

        public var events: Int { conversations + messages + ratings }

        public mutating func add(_ other: TenantCommit) {
            conversations += other.conversations
            messages += other.messages
            ratings += other.ratings
        }
    }

    public typealias Listener = @Sendable ([String: TenantCommit]) -> Void

    private let lock = NSLock()
    private var listeners: [UInt64: Listener] = [:]
    private var nextId: UInt64 = 0

    public init() {}

    /// Adds a listener, called on the writer's thread after each commit; it must return at once.
    /// Returns the id that `unsubscribe` takes.
    public func subscribe(_ listener: @escaping Listener) -> UInt64 {
        lock.withLock {
            nextId += 1
            listeners[nextId] = listener
            return nextId
        }
    }

    public func unsubscribe(_ id: UInt64) {
        lock.withLock { _ = listeners.removeValue(forKey: id) }
    }

    /// Whether anyone listens: the writer summarises a batch only then.
    public var hasListeners: Bool { lock.withLock { !listeners.isEmpty } }

    /// Tells every listener about a committed batch's events (nothing when it had none).
    public func committed(_ events: [Event]) {
        let current = lock.withLock { Array(listeners.values) }
        guard !current.isEmpty else { return }
        let summary = Self.summary(of: events)
        guard !summary.isEmpty else { return }
        for listener in current { listener(summary) }
    }

    /// Each tenant's events in `events`, by kind.
    public static func summary(of events: [Event]) -> [String: TenantCommit] {
        var result: [String: TenantCommit] = [:]
        for event in events {
            switch event.kind {
            case .conversationCreated: result[event.userId, default: TenantCommit()].conversations += 1
            case .messageCreated: result[event.userId, default: TenantCommit()].messages += 1
            case .ratingCreated: result[event.userId, default: TenantCommit()].ratings += 1
            }
        }
        return result
    }
}
