import Foundation
import Testing
import TallyDomain
import TallySettings

/// The compliance report end to end: what the test itself did through the API (keys created,
/// used and revoked, reports generated) must come back in its audit_trail and access_review
/// sections, and the seeded batch in its ingest_health section.
@Suite("Compliance report")
struct ComplianceReportTests {
    /// Reads one section's block of `kind` named `name` from a JSON report document.
    static func block(_ document: [String: Any], _ section: String, _ name: String) throws -> [String: Any] {
        let sections = try #require(document["sections"] as? [[String: Any]])
        let found = try #require(sections.first { $0["name"] as? String == section }, "no section \(section)")
        let blocks = try #require(found["blocks"] as? [[String: Any]])
        return try #require(blocks.first { $0["name"] as? String == name }, "no block \(name) in \(section)")
    }

    static func kpis(_ document: [String: Any], _ section: String) throws -> [String: Double] {
        let items = try #require(try block(document, section, "kpis")["items"] as? [[String: Any]])
        var values: [String: Double] = [:]
        for item in items { values[item["name"] as! String] = (item["value"] as? NSNumber)?.doubleValue }
        return values
    }

    @Test("audit trail, access review, data retention and ingest health reflect what happened in the period")
    func complianceSections() async throws {
        try await withReportServer { server in
            let today = Day(epochMillis: SettingsStore.nowMillis()).iso
            let hostileName = "<script>alert(1)</script>=HYPERLINK(\"x\")"
            let created = try await exchange(server, "POST", "api/v1/platform/keys", key: server.admin,
                                             body: #"{"name":"\#(hostileName.replacingOccurrences(of: "\"", with: "\\\""))","role":"report_viewer","userId":"t1"}"#)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let createdObject = try created.object()
            let keyId = try #require((createdObject["key"] as? [String: Any])?["id"] as? String)
            let secret = try #require(createdObject["secret"] as? String)
            #expect(try await exchange(server, "GET", "api/v1/reports/templates", key: secret).status == 200, "the new key is used once")
            #expect(try await exchange(server, "DELETE", "api/v1/platform/keys/\(keyId)", key: server.admin).status == 204)
            #expect(try await exchange(server, "GET", "api/v1/reports/templates", key: secret).status == 401, "and refused once revoked")

            let reportAdmin = server.tenantKeys[.reportAdmin]!
            let id = try await generateReport(server, key: reportAdmin,
                                              #"{"type":"compliance","format":"json","start_date":"\#(today)","end_date":"\#(today)"}"#)
            let status = try await awaitReport(server, id)
            #expect(status["state"] as? String == "completed", "\(status)")
            let download = try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: reportAdmin)
            let document = try #require(try JSONSerialization.jsonObject(with: download.body) as? [String: Any])
            let sections = try #require(document["sections"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(sections == ["audit_trail", "access_review", "data_retention", "ingest_health"])

            // The tenant's audit entries of today: the key's creation and revocation, then this report.
            let entries = try #require(try Self.block(document, "audit_trail", "entries")["rows"] as? [[Any]])
            #expect(entries.map { $0[5] as? String } == ["key.create", "key.revoke", "report.generate"])
            #expect(entries.map { $0[6] as? String } == [keyId, keyId, id])
            #expect(entries.allSatisfy { $0[7] as? String == "success" })
            #expect(try Self.kpis(document, "audit_trail")["entries"] == 3)

            // Keys of t1: the four made before the server started, and the one made, used and revoked.
            let access = try Self.kpis(document, "access_review")
            #expect(access["created_keys"] == 5)
            #expect(access["revoked_keys"] == 1)
            #expect(access["active_keys"] == 4)
            #expect(access["used_keys"] == 2, "the new key, and the report_admin key that asked for this report")
            let keys = try #require(try Self.block(document, "access_review", "keys")["rows"] as? [[Any]])
            let revoked = try #require(keys.first { $0[0] as? String == keyId })
            #expect(revoked[1] as? String == hostileName, "the hostile name is kept as text")
            #expect(revoked[2] as? String == "report_viewer")
            #expect(revoked[5] as? String == "revoked")
            #expect((revoked[6] as? NSNumber)?.intValue == 1)
            #expect(revoked[7] as? String == today)

            let settings = try #require(try Self.block(document, "data_retention", "settings")["rows"] as? [[Any]])
            #expect(settings.map { $0[0] as? String } == ["dedupe_days", "retention_days", "dead_letter_retention_days", "report_retention_days"])
            #expect(settings.map { ($0[2] as? NSNumber)?.intValue } == [7, 400, 30, 90])

            // The seeded batch was committed today: every t1 event of it, counted once.
            let health = try Self.kpis(document, "ingest_health")
            let seeded = Set(seedEvents().filter { $0.userId == "t1" }.map(\.id)).count
            #expect(health["events_counted"] == Double(seeded))
            #expect(health["duplicates_skipped"] == 0)
            #expect(health["batches"] == 1)

            // A report_creator may not ask for one.
            let refused = try await exchange(server, "POST", "api/v1/reports/generate", key: server.tenantKeys[.reportCreator]!,
                                             body: #"{"type":"compliance","format":"json"}"#)
            #expect(refused.status == 403)
        }
    }
}
