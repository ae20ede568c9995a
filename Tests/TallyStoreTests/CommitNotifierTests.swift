import Foundation
import Testing
import TallyDomain
import TallyStore

/// The notifier that tells the event stream of committed batches: what it summarises, and that
/// it stops telling a listener once unsubscribed.
@Suite("Commit notifier")
struct CommitNotifierTests {
    final class Heard: @unchecked Sendable {
        let lock = NSLock()
        var summaries: [[String: CommitNotifier.TenantCommit]] = []
        func add(_ summary: [String: CommitNotifier.TenantCommit]) { lock.withLock { summaries.append(summary) } }
        var all: [[String: CommitNotifier.TenantCommit]] { lock.withLock { summaries } }
    }

    @Test("a batch is summarised per tenant and kind; an empty batch tells no one")
    func summary() {
        let notifier = CommitNotifier()
        #expect(!notifier.hasListeners)
        let heard = Heard()
        let id = notifier.subscribe { heard.add($0) }
        #expect(notifier.hasListeners)
        notifier.committed([
            Event(id: "1", kind: .conversationCreated, userId: "a", occurredAtMillis: 0),
            Event(id: "2", kind: .messageCreated(.bot), userId: "a", occurredAtMillis: 0),
            Event(id: "3", kind: .messageCreated(.user), userId: "a", occurredAtMillis: 0),
            Event(id: "4", kind: .ratingCreated(value: -1), userId: "b", occurredAtMillis: 0),
        ])
        notifier.committed([])
        #expect(heard.all == [["a": .init(conversations: 1, messages: 2), "b": .init(ratings: 1)]])
        notifier.unsubscribe(id)
        #expect(!notifier.hasListeners)
        notifier.committed([Event(id: "5", kind: .conversationCreated, userId: "a", occurredAtMillis: 0)])
        #expect(heard.all.count == 1)
    }
}
