import Foundation
import Hummingbird
import ServiceLifecycle
import TallyStore

/// `GET /api/v1/platform/events?userId=U`: Server-Sent Events for the live dashboard.
///
/// After each committed ingest batch that touched the tenant the stream sends `event: counters`
/// with what the batches held (`{"userId","batches","events","conversations","messages","ratings"}`),
/// coalesced to at most one every 250 ms so that a busy tenant costs a browser at most 4 refetches
/// a second. A comment line every 15 s keeps proxies from closing a quiet stream. The key is
/// checked like any API request (the `Authorization` header: the page reads the stream with
/// `fetch`, so the key never goes into a URL); a tenant key may follow only its own tenant.
struct EventsController {
    let notifier: CommitNotifier
    var coalesce: Duration = .milliseconds(250)
    var heartbeat: Duration = .seconds(15)

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.get("platform/events", use: events)
    }

    /// The news waiting to be sent on one stream, filled on the ingest writer's thread.
    final class Pending: @unchecked Sendable {
        private let lock = NSLock()
        private var batches = 0
        private var commit = CommitNotifier.TenantCommit()

        func add(_ news: CommitNotifier.TenantCommit) {
            lock.withLock {
                batches += 1
                commit.add(news)
            }
        }

        func take() -> (batches: Int, commit: CommitNotifier.TenantCommit) {
            lock.withLock {
                defer { batches = 0; commit = CommitNotifier.TenantCommit() }
                return (batches, commit)
            }
        }
    }

    struct Counters: Encodable {
        var userId: String
        var batches: Int
        var events: Int
        var conversations: Int
        var messages: Int
        var ratings: Int
    }

    @Sendable func events(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let tenant = try TenantSelection.tenant(for: key, asked: request.uri.queryParameters.get("userId"),
                                                missing: "userId is required: the tenant whose commits to follow, as ?userId=")
        let notifier = self.notifier
        let coalesce = self.coalesce
        let heartbeat = self.heartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let pending = Pending()
            // One wake-up is enough however many commits arrive meanwhile: `pending` holds them all.
            let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            let id = notifier.subscribe { commits in
                guard let news = commits[tenant] else { return }
                pending.add(news)
                wake.yield()
            }
            defer { notifier.unsubscribe(id) }
            let beats = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    wake.yield()
                }
            }
            defer { beats.cancel() }
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                var lastSent = ContinuousClock.now - coalesce
                for await _ in wakes {
                    let due = lastSent + coalesce
                    if due > .now { try await Task.sleep(until: due) }
                    let (batches, commit) = pending.take()
                    if batches > 0 {
                        lastSent = .now
                        let body = Counters(userId: tenant, batches: batches, events: commit.events, conversations: commit.conversations,
                                            messages: commit.messages, ratings: commit.ratings)
                        let json = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "event: counters\ndata: \(json)\n\n"))
                    } else {
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
            } onGracefulShutdown: {
                // A stream never ends by itself: the server's shutdown ends it, and the page reconnects.
                wake.finish()
            }
            try await writer.finish(nil)
        })
    }
}
