import Foundation
import Testing
import TallyDomain
import TallyHTTP

/// The HTTP guard against partial figures: with an ingest status that shows a partial (or
/// unconfirmed) assignment, report fetches answer 503 `partial_assignment` with `Retry-After`, while
/// the catalog list and `/healthz` keep answering. The real assignment is the integration test's.
@Suite("Partial assignment over HTTP")
struct PartialAssignmentAPITests {
    /// An ingest status the test can change while the server runs.
    final class StatusStub: @unchecked Sendable {
        private let lock = NSLock()
        private var value = IngestStatus(state: "consuming")
        init(_ assignment: PartitionAssignment) { value.assignment = assignment }
        func set(_ assignment: PartitionAssignment) { lock.withLock { value.assignment = assignment } }
        func get() -> IngestStatus { lock.withLock { value } }
    }

    private static func partition(_ topic: String, _ index: Int32) -> PartitionAssignment.Partition {
        PartitionAssignment.Partition(topic: topic, partition: index)
    }

    private static let partial = PartitionAssignment(
        assigned: [partition("conversations", 0), partition("messages", 0), partition("messages", 1), partition("ratings", 0)],
        partitionCounts: ["conversations": 2, "messages": 3, "ratings": 1])

    @Test("a partial assignment refuses fetches with 503 partial_assignment and Retry-After, naming the partitions")
    func partialRefusesFetch() async throws {
        let stub = StatusStub(Self.partial)
        try await withLiveServer(ingestStatus: { stub.get() }) { server in
            for key in [server.platformKey, server.tenantKey] {
                let reply = try await fetch(server, "Total Ratings Report", key: key, body: #"{"userId":"t1","endDate":"2026-03-15"}"#)
                try expectError(reply, 503, code: "partial_assignment", mentions: "conversations[0], messages[0], messages[1], ratings[0]")
                #expect(reply.retryAfter == "5")
                let message = try #require(try reply.object()["message"] as? String)
                #expect(message.contains("conversations[1], messages[2]"), "names the missing partitions: \(message)")
                #expect(try reply.object()["value"] == nil)
            }
        }
    }

    @Test("an unconfirmed assignment refuses too; a complete one, or none yet, answers")
    func otherStates() async throws {
        let stub = StatusStub(.unconfirmed(assigned: [Self.partition("messages", 0)]))
        try await withLiveServer(ingestStatus: { stub.get() }) { server in
            let body = #"{"userId":"t1","endDate":"2026-03-15"}"#
            let unknown = try await fetch(server, "Total Ratings Report", key: server.platformKey, body: body)
            try expectError(unknown, 503, code: "partial_assignment", mentions: "could not confirm")
            #expect(unknown.retryAfter == "5")

            stub.set(PartitionAssignment(assigned: [Self.partition("messages", 0)], partitionCounts: ["messages": 1]))
            let complete = try await fetch(server, "Total Ratings Report", key: server.platformKey, body: body)
            #expect(complete.status == 200)
            #expect(try complete.object()["value"] as? Int == 3)
            #expect(complete.retryAfter == nil)

            stub.set(.pending)
            let pending = try await fetch(server, "Total Ratings Report", key: server.platformKey, body: body)
            #expect(pending.status == 200)
        }
    }

    @Test("ChatBotKit's generate routes, single and batch, are refused too, and answer once complete")
    func partialRefusesGenerate() async throws {
        let stub = StatusStub(Self.partial)
        try await withLiveServer(ingestStatus: { stub.get() }) { server in
            let id = ReportCatalog.all[0].id
            let single = try await send(server, "POST", "api/v1/platform/report/\(id)/generate", key: server.tenantKey, body: "{}")
            try expectError(single, 503, code: "partial_assignment", mentions: "messages[2]")
            #expect(single.retryAfter == "5")
            let batch = try await send(server, "POST", "api/v1/platform/report/generate", key: server.tenantKey, body: "{\"\(id)\": {}}")
            try expectError(batch, 503, code: "partial_assignment", mentions: "messages[2]")
            #expect(batch.retryAfter == "5")

            stub.set(PartitionAssignment(assigned: [Self.partition("messages", 0)], partitionCounts: ["messages": 1]))
            #expect(try await send(server, "POST", "api/v1/platform/report/\(id)/generate", key: server.tenantKey, body: "{}").status == 200)
            #expect(try await send(server, "POST", "api/v1/platform/report/generate", key: server.tenantKey, body: "{}").status == 200)
        }
    }

    @Test("without a key the answer is still 401, not the assignment")
    func authenticationFirst() async throws {
        let stub = StatusStub(Self.partial)
        try await withLiveServer(ingestStatus: { stub.get() }) { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.revokedKey, body: #"{"userId":"t1"}"#)
            try expectError(reply, 401, code: "unauthorized")
        }
    }

    @Test("the catalog list and /healthz answer 200 while partial; healthz shows the assignment")
    func listAndHealthAnswer() async throws {
        let stub = StatusStub(Self.partial)
        try await withLiveServer(ingestStatus: { stub.get() }) { server in
            let list = try await send(server, "GET", "api/v1/platform/report/list", key: server.tenantKey)
            #expect(list.status == 200)
            #expect((try list.object()["items"] as? [Any])?.count == ReportCatalog.all.count + BotReport.allCases.count + TenantReport.allCases.count + 1)

            let health = try await send(server, "GET", "healthz")
            #expect(health.status == 200)
            let ingest = try #require(try health.object()["ingest"] as? [String: Any])
            let assignment = try #require(ingest["assignment"] as? [String: Any])
            #expect(assignment["state"] as? String == "partial")
            #expect(assignment["assigned"] as? [String] == ["conversations[0]", "messages[0]", "messages[1]", "ratings[0]"])
            #expect(assignment["missing"] as? [String] == ["conversations[1]", "messages[2]"])
        }
    }
}
