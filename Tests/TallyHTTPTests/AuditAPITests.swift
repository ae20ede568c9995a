import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyHTTP
import TallySettings
import TallyStore

/// `GET /api/v1/platform/audit` on a real socket, and the entries that the API's own changes (keys,
/// tenant time zones) leave there: actor, request id and remote address, filters, admin-only
/// access, refused parameters, and hostile values that stay data.
@Suite("Audit API")
struct AuditAPITests {
    static func items(_ reply: Reply) throws -> [[String: Any]] {
        #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
        return try #require(try reply.object()["items"] as? [[String: Any]])
    }

    @Test("a tenant zone set and a key created and revoked over HTTP are recorded with the key, request id and address")
    func recordsAPIChanges() async throws {
        try await TenantAPITests.withServer { server in
            let admin = server.keys["admin"]!
            let adminId = try #require(try server.settings.listKeys().first { $0.name == "a" }).id
            #expect(try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["report_admin"], body: #"{"timeZone":"Europe/Berlin"}"#).status == 200)
            let created = try await send(server.live, "POST", "api/v1/platform/keys", key: admin, body: #"{"name":"ci","role":"report_viewer","userId":"t2"}"#)
            #expect(created.status == 201)
            let keyId = try #require((try created.object()["key"] as? [String: Any])?["id"] as? String)
            #expect(try await send(server.live, "DELETE", "api/v1/platform/keys/\(keyId)", key: admin).status == 204)
            try expectError(try await send(server.live, "DELETE", "api/v1/platform/keys/\(keyId)", key: admin), 409, code: "key_already_revoked")

            let entries = try Self.items(try await send(server.live, "GET", "api/v1/platform/audit", key: admin))
            #expect(entries.map { $0["action"] as? String } == ["key.revoke", "key.revoke", "key.create", "tenant.time_zone.set"])
            #expect(entries.map { $0["outcome"] as? String } == ["key_already_revoked", "success", "success", "success"])
            #expect(entries.map { $0["sequence"] as? Int } == [4, 3, 2, 1])
            let zone = entries[3]
            #expect(zone["user_id"] as? String == "t1")
            #expect(zone["target"] as? String == "Europe/Berlin")
            let actor = try #require(zone["actor"] as? [String: Any])
            #expect(actor["role"] as? String == "report_admin" && actor["name"] as? String == "ra")
            #expect(zone["remote_address"] as? String == "127.0.0.1")
            #expect((zone["request_id"] as? String)?.isEmpty == false)
            #expect((entries[2]["actor"] as? [String: Any])?["id"] as? String == adminId)
            #expect(entries[2]["target"] as? String == keyId && entries[2]["user_id"] as? String == "t2")
            #expect((zone["entry_hash"] as? String)?.count == 64 && zone["previous_hash"] as? String == AuditChain.genesisHash)
            #expect(try server.settings.verifyAudit().entries == 4)
        }
    }

    @Test("the filters select as the store does, with total, limit and offset")
    func filters() async throws {
        try await TenantAPITests.withServer { server in
            let cli = AuditContext(actor: .commandLine(user: "ops"))
            try server.settings.appendAudit(cli.entry(.storeSnapshot, target: "s1", atMillis: 1_767_225_600_000))       // 2026-01-01
            try server.settings.appendAudit(cli.entry(.storeRebuild, target: "all", userId: "t1", atMillis: 1_767_312_000_000))  // 2026-01-02
            try server.settings.appendAudit(cli.entry(.keyCreate, target: "k", userId: "t2", atMillis: 1_767_398_400_000))  // 2026-01-03
            let admin = server.keys["admin"]!
            func seqs(_ query: String) async throws -> [Int] {
                try Self.items(try await send(server.live, "GET", "api/v1/platform/audit?\(query)", key: admin)).compactMap { $0["sequence"] as? Int }
            }
            #expect(try await seqs("since=2026-01-02") == [3, 2])
            #expect(try await seqs("until=2026-01-02T00:00:00Z") == [1])
            #expect(try await seqs("action=store.rebuild") == [2])
            #expect(try await seqs("actor=cli:ops&user_id=t2") == [3])
            #expect(try await seqs("actor=key_none") == [])
            let page = try await send(server.live, "GET", "api/v1/platform/audit?limit=1&offset=1", key: admin).object()
            #expect((page["items"] as? [[String: Any]])?.first?["sequence"] as? Int == 2)
            #expect(page["total"] as? Int == 3 && page["limit"] as? Int == 1 && page["offset"] as? Int == 1)
        }
    }

    @Test("only a platform-wide admin key reads the log")
    func adminOnly() async throws {
        try await TenantAPITests.withServer { server in
            try expectError(try await send(server.live, "GET", "api/v1/platform/audit", key: server.keys["report_admin"]), 403, code: "forbidden_role")
            try expectError(try await send(server.live, "GET", "api/v1/platform/audit", key: server.keys["viewer"]), 403, code: "forbidden_role")
            try expectError(try await send(server.live, "GET", "api/v1/platform/audit", key: server.keys["t1_admin"]), 403, code: "forbidden_tenant")
            try expectError(try await send(server.live, "GET", "api/v1/platform/audit"), 401, code: "unauthorized")
            try expectError(try await send(server.live, "POST", "api/v1/platform/keys", key: server.keys["report_admin"], body: #"{"role":"admin"}"#),
                            403, code: "forbidden_role")
        }
    }

    @Test("bad values and unknown parameters are refused with invalid_parameter", arguments: [
        ("since=yesterday", "since"), ("until=2026-02-30", "until"), ("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-3", "offset"),
        ("userId=t1", "userId"), ("sort=asc", "sort"), ("since=2026-02-01&until=2026-01-01", "until"),
    ])
    func refused(query: String, parameter: String) async throws {
        try await TenantAPITests.withServer { server in
            try expectError(try await send(server.live, "GET", "api/v1/platform/audit?\(query)", key: server.keys["admin"]), 400,
                            code: "invalid_parameter", mentions: parameter)
        }
    }

    @Test("hostile values stay data: JSON-escaped in the answer, and the chain still verifies")
    func hostile() async throws {
        try await TenantAPITests.withServer { server in
            let hostile = "<script>alert(\"x\")</script>\r\nX-Injected: 1"
            let created = try await send(server.live, "POST", "api/v1/platform/keys", key: server.keys["admin"],
                                         body: #"{"name":"<script>alert(\"x\")</script>","role":"admin"}"#)
            #expect(created.status == 201)
            // The hostile name acts: it is the actor of the next entry.
            let secret = try #require(try created.object()["secret"] as? String)
            #expect(try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: secret, body: #"{"timeZone":"UTC"}"#).status == 200)
            try server.settings.appendAudit(AuditContext(actor: .commandLine(user: "ops")).entry(.reportDownload, target: hostile, userId: "t1"))
            let reply = try await send(server.live, "GET", "api/v1/platform/audit", key: server.keys["admin"])
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(!text.contains("\r\n"), "raw line breaks never leave as bytes")
            let entries = try Self.items(reply)
            #expect(entries.first?["target"] as? String == hostile)
            #expect((entries[1]["actor"] as? [String: Any])?["name"] as? String == "<script>alert(\"x\")</script>")
            #expect(try server.settings.verifyAudit().isIntact)
        }
    }
}
