import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallySettings
import TallyTestSupport

/// The Reports API over a real socket: jobs generated, polled and downloaded, the figures equal to
/// the oracle's, the download's headers, the errors with their stable codes, the queue bound, the
/// timeout and the role × endpoint × tenant matrix.
@Suite("Reports API over HTTP")
struct ReportsAPITests {
    @Test("generate → status → metadata → download: the JSON holds the oracle's figures, the CSV has its headers, ETag and 304")
    func generatePollDownload() async throws {
        try await withReportServer { server in
            let id = try await generateReport(server, key: server.tenantKeys[.reportCreator]!,
                                              #"{"type":"usage","format":"json","start_date":"2026-03-01","end_date":"2026-03-15","title":"March <b>"}"#)
            let status = try await awaitReport(server, id)
            #expect(status["state"] as? String == "completed")
            #expect(status["progress"] as? Int == 100)

            let metadata = try await exchange(server, "GET", "api/v1/reports/\(id)", key: server.tenantKeys[.reportViewer]!).object()
            #expect(metadata["user_id"] as? String == "t1")
            #expect(metadata["type"] as? String == "usage" && metadata["format"] as? String == "json")
            #expect(metadata["start_date"] as? String == "2026-03-01" && metadata["end_date"] as? String == "2026-03-15")
            #expect(metadata["time_zone"] as? String == "UTC")
            #expect(metadata["sections"] as? [String] == ["usage_summary", "message_mix", "contacts_growth", "bot_breakdown", "channel_breakdown", "hourly_heatmap"])
            #expect((metadata["created_by"] as? [String: Any])?["name"] as? String == "t1-report_creator")
            #expect(metadata["download_url"] as? String == "/api/v1/reports/\(id)/download")
            let asOf = try #require(metadata["data_as_of"] as? [String: Any])
            #expect(asOf["committed_at"] is String)
            #expect((asOf["offsets"] as? [[String: Any]])?.first?["next_offset"] as? Int == seedEvents().count)
            for field in ["started_at", "completed_at", "created_at", "sha256", "size_bytes", "template_id"] { #expect(metadata.keys.contains(field), "\(field)") }

            let download = try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: server.tenantKeys[.reportViewer]!)
            #expect(download.status == 200)
            #expect(download.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(download.header("Content-Disposition") == "attachment; filename=\"march-b-2026-03-01-2026-03-15.json\"")
            #expect(download.header("Content-Length") == String(download.body.count))
            let sha = SHA256.hex(Array(download.body))
            #expect(download.header("ETag") == "\"\(sha)\"")
            #expect(metadata["sha256"] as? String == sha && metadata["size_bytes"] as? Int == download.body.count)
            let again = try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: server.admin, headers: ["If-None-Match": "\"\(sha)\""])
            #expect(again.status == 304)

            // The figures in the file equal the oracle's over the raw events.
            let document = try #require(try JSONSerialization.jsonObject(with: download.body) as? [String: Any])
            let sections = try #require(document["sections"] as? [[String: Any]])
            let summary = try #require(sections.first { $0["name"] as? String == "usage_summary" })
            let kpis = try #require((summary["blocks"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])
            let oracle = ReportOracle(events: seedEvents())
            for (name, report) in [("messages", "Total Messages Report"), ("conversations", "Total Conversations Report"), ("active_contacts", "Active Contacts Report")] {
                let exact = try #require(oracle.expected(reportId: try reportId(report), tenant: "t1", periodDays: 15, end: seedToday))
                let item = try #require(kpis.first { $0["name"] as? String == name })
                #expect((item["value"] as? NSNumber)?.doubleValue == exact.value, "\(name)")
                #expect((item["change"] as? NSNumber)?.doubleValue == exact.change, "\(name) change")
            }

            let csvId = try await generateReport(server, key: server.admin, #"{"type":"usage","format":"csv","user_id":"t1","period_days":7}"#)
            _ = try await awaitReport(server, csvId)
            let csv = try await exchange(server, "GET", "api/v1/reports/\(csvId)/download", key: server.admin)
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            #expect(csv.header("Content-Disposition") == "attachment; filename=\"usage-report-2026-03-09-2026-03-15.csv\"")
            #expect(String(decoding: csv.body, as: UTF8.self).hasPrefix("section,metric,key,date,value\r\n"))

            let deleted = try await exchange(server, "DELETE", "api/v1/reports/\(csvId)", key: server.tenantKeys[.reportAdmin]!)
            #expect(deleted.status == 204)
            #expect(try await exchange(server, "GET", "api/v1/reports/\(csvId)", key: server.admin).status == 404)
            #expect(!FileManager.default.fileExists(atPath: server.directory.appendingPathComponent("reports/\(csvId).csv").path))
        }
    }

    @Test("generating, downloading and deleting a report, and changing a template, are on the audit log with the key as actor; a 304 is not")
    func auditedChanges() async throws {
        try await withReportServer { server in
            let creator = server.tenantKeys[.reportCreator]!, admin = server.tenantKeys[.reportAdmin]!
            let id = try await generateReport(server, key: creator, #"{"type":"usage","format":"json","period_days":7}"#)
            _ = try await awaitReport(server, id)
            let download = try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: server.tenantKeys[.reportViewer]!)
            #expect(download.status == 200)
            let etag = try #require(download.header("ETag"))
            #expect(try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: admin, headers: ["If-None-Match": etag]).status == 304)
            #expect(try await exchange(server, "DELETE", "api/v1/reports/\(id)", key: admin).status == 204)
            let created = try await exchange(server, "POST", "api/v1/reports/templates", key: admin,
                                             body: #"{"name":"weekly","type":"usage","sections":["usage_summary"]}"#)
            #expect(created.status == 201)
            let template = try #require(try created.object()["template_id"] as? String)
            #expect(try await exchange(server, "DELETE", "api/v1/reports/templates/\(template)", key: admin).status == 204)

            let entries = try server.settings.auditEntries(AuditQuery(userId: "t1", limit: 100)).items.map(\.entry).reversed()
            let reports = entries.filter { $0.action.rawValue.hasPrefix("report.") }
            #expect(reports.map(\.action.rawValue) == ["report.generate", "report.download", "report.delete"])
            #expect(reports.allSatisfy { $0.target == id && $0.outcome == AuditEntry.success && $0.userId == "t1" })
            #expect(reports.map(\.actor.name) == ["t1-report_creator", "t1-report_viewer", "t1-report_admin"])
            #expect(entries.filter { $0.action.rawValue.hasPrefix("template.") }.map(\.action.rawValue) == ["template.create", "template.delete"])
            #expect(try server.settings.verifyAudit().isIntact)
        }
    }

    @Test("bad requests get 400 with a stable code, listing the valid values")
    func errors() async throws {
        try await withReportServer { server in
            let key = server.admin
            func post(_ body: String) async throws -> Reply {
                let raw = try await exchange(server, "POST", "api/v1/reports/generate", key: key, body: body)
                return Reply(status: raw.status, contentType: raw.header("Content-Type"), body: raw.body)
            }
            try expectError(try await post(#"{"type":"weekly","user_id":"t1"}"#), 400, code: "unknown_type", mentions: "usage, conversations, performance, compliance, custom")
            try expectError(try await post(#"{"type":"usage","format":"docx","user_id":"t1"}"#), 400, code: "unknown_format", mentions: "pdf, csv, xlsx, json, html")
            try expectError(try await post(#"{"type":"custom","sections":["usage_summary","nope"],"user_id":"t1"}"#), 400, code: "unknown_section", mentions: "usage_summary, top_conversations")
            try expectError(try await post(#"{"type":"custom","user_id":"t1"}"#), 400, code: "missing_parameter", mentions: "sections")
            try expectError(try await post(#"{"type":"usage","user_id":"t1","perod_days":7}"#), 400, code: "invalid_parameter", mentions: "perod_days")
            try expectError(try await post(#"{"type":"usage","user_id":"t1","start_date":"2025-01-01","end_date":"2026-03-01"}"#), 400, code: "invalid_parameter", mentions: "366")
            try expectError(try await post(#"{"type":"usage","user_id":"t1","start_date":"2026-03-02","end_date":"2026-03-01"}"#), 400, code: "invalid_parameter")
            try expectError(try await post(#"{"type":"usage","user_id":"t1","bot_id":"a","channel":"b"}"#), 400, code: "invalid_parameter")
            try expectError(try await post(#"{"type":"usage"}"#), 400, code: "missing_parameter", mentions: "user_id")
            try expectError(try await post(#"{"type":"usage","user_id":"t1","template_id":"nope"}"#), 400, code: "template_not_found")
            let list = try await exchange(server, "GET", "api/v1/reports?sort=size", key: key)
            try expectError(Reply(status: list.status, contentType: list.header("Content-Type"), body: list.body), 400, code: "invalid_parameter", mentions: "created_at, name, type")
            let unknown = try await exchange(server, "GET", "api/v1/reports?state=completed", key: key)
            try expectError(Reply(status: unknown.status, contentType: unknown.header("Content-Type"), body: unknown.body), 400, code: "invalid_parameter", mentions: "state")
            let missing = try await exchange(server, "GET", "api/v1/reports/rpt_nope", key: key)
            try expectError(Reply(status: missing.status, contentType: missing.header("Content-Type"), body: missing.body), 404, code: "report_not_found")

            // Every type's default sections are generated: the 202 lists nothing left out.
            for type in ["usage", "conversations", "performance", "compliance"] {
                let accepted = try await exchange(server, "POST", "api/v1/reports/generate", key: key, body: #"{"type":"\#(type)","user_id":"t1"}"#)
                #expect(accepted.status == 202)
                #expect(Set(try accepted.object().keys) == ["report_id", "state", "status_url"])
            }
            let templates = try await exchange(server, "GET", "api/v1/reports/templates", key: server.tenantKeys[.reportViewer]!).object()
            #expect((templates["items"] as? [[String: Any]])?.compactMap { $0["template_id"] as? String } == ["builtin-usage", "builtin-conversations", "builtin-performance", "builtin-compliance"])
            #expect(try await exchange(server, "GET", "api/v1/reports/templates/builtin-usage", key: key).status == 200)
        }
    }

    @Test("past --report-queue pending jobs generate answers 429 queue_full with Retry-After; a pending report is not ready")
    func queueFull() async throws {
        try await withReportServer(queueLimit: 2, runWorkers: false) { server in
            let first = try await generateReport(server, key: server.admin, #"{"type":"usage","user_id":"t1"}"#)
            _ = try await generateReport(server, key: server.admin, #"{"type":"usage","user_id":"t2"}"#)
            let full = try await exchange(server, "POST", "api/v1/reports/generate", key: server.admin, body: #"{"type":"usage","user_id":"t1"}"#)
            try expectError(Reply(status: full.status, contentType: full.header("Content-Type"), body: full.body), 429, code: "queue_full")
            #expect(full.header("Retry-After") == "30")
            let notReady = try await exchange(server, "GET", "api/v1/reports/\(first)/download", key: server.admin)
            try expectError(Reply(status: notReady.status, contentType: notReady.header("Content-Type"), body: notReady.body), 409, code: "report_not_ready")
            let status = try await exchange(server, "GET", "api/v1/reports/\(first)/status", key: server.admin).object()
            #expect(status["state"] as? String == "pending" && status["progress"] as? Int == 0)
        }
    }

    @Test("a job over --report-timeout fails and keeps its error text")
    func timeout() async throws {
        try await withReportServer(timeout: .zero) { server in
            let id = try await generateReport(server, key: server.admin, #"{"type":"usage","user_id":"t1"}"#)
            let status = try await awaitReport(server, id)
            #expect(status["state"] as? String == "failed")
            #expect((status["error"] as? String)?.contains("report timeout") == true)
            let metadata = try await exchange(server, "GET", "api/v1/reports/\(id)", key: server.admin).object()
            #expect((metadata["error"] as? String)?.contains("report timeout") == true)
        }
    }

    @Test("--report-retention-days: at start, reports created longer ago are deleted with their files, each audited as report.expire; newer ones stay")
    func retention() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let day: Int64 = 86_400_000
        let now = SettingsStore.nowMillis()
        func request(_ id: String, createdAt: Int64) -> ReportJob.Request {
            ReportJob.Request(id: id, userId: "t1", type: "usage", format: "json", title: id, sections: ["usage_summary"], startDate: "2026-03-01",
                              endDate: "2026-03-15", timeZone: "UTC", createdByKeyId: "key_x", createdByKeyName: "x", createdAtMillis: createdAt)
        }
        let reports = directory.appendingPathComponent("reports")
        try await withReportServer(retentionDays: 90, directory: directory, prepare: { settings in
            try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
            for (id, age) in [("rpt_old", 91 * day), ("rpt_recent", 89 * day)] {
                let job = request(id, createdAt: now - age)
                try settings.apply(.createReportJob(job))
                try settings.apply(.startReportJob(id: id, startedAtMillis: job.createdAtMillis + 1))
                try Data("{}".utf8).write(to: reports.appendingPathComponent("\(id).json"))
                try settings.apply(.completeReportJob(ReportJob.Completion(
                    id: id, completedAtMillis: job.createdAtMillis + 2, fileName: "\(id).json", sizeBytes: 2, sha256: SHA256.hex(Array("{}".utf8)),
                    dataAsOf: ReportJob.DataAsOf(committedAtMillis: nil, offsets: []))))
            }
        }) { server in
            var entries: [AuditEntry] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                entries = try server.settings.auditEntries(AuditQuery(action: "report.expire")).items.map(\.entry)
                if !entries.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(entries.map(\.target) == ["rpt_old"])
            #expect(entries.first?.actor.id == "system:serve")
            #expect(entries.first?.outcome == AuditEntry.success)
            #expect(entries.first?.userId == "t1")
            #expect(try await exchange(server, "GET", "api/v1/reports/rpt_old", key: server.admin).status == 404)
            #expect(!FileManager.default.fileExists(atPath: reports.appendingPathComponent("rpt_old.json").path))
            #expect(try await exchange(server, "GET", "api/v1/reports/rpt_recent", key: server.admin).status == 200)
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent("rpt_recent.json").path))
        }
    }

    @Test("a job left running by a process that stopped runs again at start and completes")
    func restartRerunsRunningJob() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = ReportJob.Request(id: "rpt_crashed", userId: "t1", type: "usage", format: "html", title: "Left running", sections: ["usage_summary"],
                                        startDate: "2026-03-01", endDate: "2026-03-15", timeZone: "UTC", createdByKeyId: "key_x",
                                        createdByKeyName: "x", createdAtMillis: SettingsStore.nowMillis())
        try await withReportServer(directory: directory, prepare: { settings in
            try settings.apply(.createReportJob(request))
            try settings.apply(.startReportJob(id: request.id, startedAtMillis: request.createdAtMillis + 1))
            // What a killed process leaves: the job running and a half-written temporary file.
            let reports = directory.appendingPathComponent("reports")
            try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
            try Data("<!DOCTYPE html><html><bo".utf8).write(to: reports.appendingPathComponent(".rpt_crashed.html.dead.tmp"))
        }) { server in
            let status = try await awaitReport(server, request.id)
            #expect(status["state"] as? String == "completed")
            let metadata = try await exchange(server, "GET", "api/v1/reports/\(request.id)", key: server.admin).object()
            #expect(metadata["attempts"] as? Int == 2)
            let download = try await exchange(server, "GET", "api/v1/reports/\(request.id)/download", key: server.admin)
            #expect(String(decoding: download.body, as: UTF8.self).hasSuffix("</html>\n"))
            #expect(metadata["sha256"] as? String == SHA256.hex(Array(download.body)))
        }
    }

    @Test("every endpoint × every role × own and other tenant answers the status the roles and tenancy give")
    func roleMatrix() async throws {
        try await withReportServer { server in
            let own = try await generateReport(server, key: server.admin, #"{"type":"usage","format":"csv","user_id":"t1","period_days":7}"#)
            let other = try await generateReport(server, key: server.admin, #"{"type":"usage","format":"csv","user_id":"t2","period_days":7}"#)
            _ = try await awaitReport(server, own)
            _ = try await awaitReport(server, other)
            func makeTemplate(_ tenant: String) async throws -> String {
                let reply = try await exchange(server, "POST", "api/v1/reports/templates", key: server.admin,
                                               body: #"{"name":"m","type":"usage","user_id":"\#(tenant)"}"#)
                return try #require(try reply.object()["template_id"] as? String)
            }
            let ownTemplate = try await makeTemplate("t1"), otherTemplate = try await makeTemplate("t2")
            func rank(_ role: ApiKey.Role) -> Int { [.reportViewer: 0, .reportCreator: 1, .reportAdmin: 2, .admin: 3][role]! }
            var cases = 0
            for role in ApiKey.Role.allCases {
                for platform in [false, true] {
                    let key = (platform ? server.platformKeys : server.tenantKeys)[role]!
                    for ownTenant in [true, false] {
                        let id = ownTenant ? own : other
                        let tenant = ownTenant ? "t1" : "t2"
                        let visible = platform || ownTenant
                        let reads = visible ? 200 : 404
                        var expectations: [(String, String, String?, Int)] = [
                            ("GET", "api/v1/reports/\(id)", nil, reads),
                            ("GET", "api/v1/reports/\(id)/status", nil, reads),
                            ("GET", "api/v1/reports/\(id)/download", nil, reads),
                            ("GET", "api/v1/reports?user_id=\(tenant)", nil, visible ? 200 : 403),
                            ("GET", "api/v1/reports/templates", nil, 200),
                            ("POST", "api/v1/reports/generate", #"{"type":"usage","format":"json","user_id":"\#(tenant)","period_days":1}"#,
                             rank(role) < 1 ? 403 : visible ? 202 : 403),
                            ("POST", "api/v1/reports/generate", #"{"type":"compliance","user_id":"\#(tenant)"}"#,
                             rank(role) < 2 ? 403 : visible ? 202 : 403),
                        ]
                        let templateId = ownTenant ? ownTemplate : otherTemplate
                        let manage = rank(role) < 2 ? 403 : visible ? 200 : 404
                        let disposable = try await makeTemplate(tenant)
                        expectations += [
                            ("GET", "api/v1/reports/templates/\(templateId)", nil, visible ? 200 : 404),
                            ("POST", "api/v1/reports/templates", #"{"name":"n","type":"usage","user_id":"\#(tenant)"}"#,
                             rank(role) < 2 ? 403 : visible ? 201 : 403),
                            ("PUT", "api/v1/reports/templates/\(templateId)", #"{"name":"p","type":"usage"}"#, manage),
                            ("DELETE", "api/v1/reports/templates/\(disposable)", nil, manage == 200 ? 204 : manage),
                        ]
                        for (method, path, body, status) in expectations {
                            let reply = try await exchange(server, method, path, key: key, body: body)
                            #expect(reply.status == status, "\(role.rawValue) \(platform ? "platform" : "tenant") \(ownTenant ? "own" : "other"): \(method) \(path) → \(reply.status) \(String(decoding: reply.body, as: UTF8.self).prefix(160))")
                            cases += 1
                        }
                        // Delete, on a report of its own made for this case.
                        let target = try await generateReport(server, key: server.admin, #"{"type":"usage","format":"json","user_id":"\#(tenant)","period_days":1}"#)
                        let deleted = try await exchange(server, "DELETE", "api/v1/reports/\(target)", key: key)
                        let expected = rank(role) < 2 ? 403 : visible ? 204 : 404
                        #expect(deleted.status == expected, "\(role.rawValue) \(platform ? "platform" : "tenant") \(ownTenant ? "own" : "other"): DELETE → \(deleted.status)")
                        cases += 1
                    }
                }
            }
            // A tenant key's list holds its own tenant's reports only.
            let listed = try await exchange(server, "GET", "api/v1/reports?limit=100", key: server.tenantKeys[.reportViewer]!).object()
            #expect((listed["items"] as? [[String: Any]])?.allSatisfy { $0["user_id"] as? String == "t1" } == true)
            #expect(listed["limit"] as? Int == 100 && listed["offset"] as? Int == 0 && (listed["total"] as? Int ?? 0) > 0)
            print("report role matrix: \(cases) cases (12 requests: the 11 report and template endpoints, generate as usage and as compliance; × 4 roles × tenant and platform keys × own and other tenant)")
            #expect(cases == 4 * 2 * 2 * 12)
        }
    }

    @Test("custom templates: created, replaced with version + 1, used by generate (which records the version), deleted; built-ins read-only; tenancy")
    func customTemplates() async throws {
        try await withReportServer { server in
            let admin = server.tenantKeys[.reportAdmin]!
            let created = try await exchange(server, "POST", "api/v1/reports/templates", key: admin,
                                             body: #"{"name":"Weekly <i>","type":"custom","sections":["usage_summary",{"type":"alerts"}],"format":"csv","period_days":7}"#)
            #expect(created.status == 201)
            let template = try created.object()
            let id = try #require(template["template_id"] as? String)
            #expect(template["version"] as? Int == 1 && template["user_id"] as? String == "t1" && template["built_in"] as? Bool == false)
            let replaced = try await exchange(server, "PUT", "api/v1/reports/templates/\(id)", key: admin,
                                              body: #"{"name":"Weekly","type":"custom","sections":["usage_summary","message_mix"],"format":"json","period_days":7}"#)
            #expect(replaced.status == 200)
            #expect(try replaced.object()["version"] as? Int == 2)

            let report = try await generateReport(server, key: server.tenantKeys[.reportCreator]!, #"{"template_id":"\#(id)"}"#)
            _ = try await awaitReport(server, report)
            let metadata = try await exchange(server, "GET", "api/v1/reports/\(report)", key: admin).object()
            #expect(metadata["template_id"] as? String == id && metadata["template_version"] as? Int == 2)
            #expect(metadata["sections"] as? [String] == ["usage_summary", "message_mix"])
            #expect(metadata["format"] as? String == "json" && metadata["start_date"] as? String == "2026-03-09")

            let listed = try await exchange(server, "GET", "api/v1/reports/templates", key: server.tenantKeys[.reportViewer]!).object()
            #expect((listed["items"] as? [[String: Any]])?.count == 5)
            #expect(try await exchange(server, "POST", "api/v1/reports/templates", key: server.tenantKeys[.reportCreator]!,
                                       body: #"{"name":"x","type":"usage"}"#).status == 403)
            #expect(try await exchange(server, "PUT", "api/v1/reports/templates/builtin-usage", key: server.admin,
                                       body: #"{"name":"x","type":"usage"}"#).status == 403)
            // Another tenant's template is not there for t1's keys.
            let foreign = try await exchange(server, "POST", "api/v1/reports/templates", key: server.admin, body: #"{"name":"t2 only","type":"usage","user_id":"t2"}"#)
            let foreignId = try #require(try foreign.object()["template_id"] as? String)
            #expect(try await exchange(server, "GET", "api/v1/reports/templates/\(foreignId)", key: server.tenantKeys[.reportViewer]!).status == 404)
            #expect(try await exchange(server, "DELETE", "api/v1/reports/templates/\(foreignId)", key: admin).status == 404)
            let misuse = try await exchange(server, "POST", "api/v1/reports/generate", key: admin, body: #"{"template_id":"\#(foreignId)"}"#)
            let misuseCode = try misuse.object()["code"] as? String
            #expect(misuse.status == 400 && misuseCode == "template_not_found")

            #expect(try await exchange(server, "DELETE", "api/v1/reports/templates/\(id)", key: admin).status == 204)
            #expect(try await exchange(server, "GET", "api/v1/reports/templates/\(id)", key: admin).status == 404)
        }
    }
}
