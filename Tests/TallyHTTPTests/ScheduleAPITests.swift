import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDelivery
import TallyMail
import TallySettings

/// `/api/v1/reports/schedule` over a real socket, with a `ReportScheduler` whose loop never runs
/// (nothing is mailed here; `TallyDeliveryTests` and the SMTP tests cover delivery): the CRUD
/// round trip with every answer checked against `schemas/openapi.yaml`, every validation code with
/// hostile values, tenant isolation and roles, `smtp_not_configured`, `template_in_use`, and the
/// fire instants (`next_run_at`, `POST /preview`) against an independent model of the cron and DST
/// rules written here on Foundation's `TimeZone` alone.
@Suite("Report schedules over HTTP")
struct ScheduleAPITests {
    /// The scheduler's clock in most tests: Friday 2026-03-06 15:00 UTC.
    static let now: Int64 = 1_772_809_200_000

    static func configuration(smtp: Bool = true) throws -> ReportSchedulerConfiguration {
        ReportSchedulerConfiguration(
            smtp: smtp ? try SMTPConfiguration(url: "smtp://127.0.0.1:9", from: try MailAddress("tally@example.com")) : nil,
            publicURL: "http://127.0.0.1")
    }

    static func baseBody() -> [String: Any] {
        ["type": "usage", "format": "pdf", "title": "Weekly usage", "cron": "0 8 * * MON", "timezone": "America/New_York",
         "recipients": ["a@example.com", "b@example.com"], "period": "previous_week"]
    }

    static func body(_ changes: [String: Any] = [:], removing: [String] = []) -> [String: Any] {
        var body = baseBody()
        for (key, value) in changes { body[key] = value }
        for key in removing { body[key] = nil }
        return body
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func text(_ reply: RawReply) -> String { String(decoding: reply.body, as: UTF8.self) }

    /// A JSON object written with sorted keys, to compare two answers field by field.
    static func canonical(_ object: [String: Any]) -> String { json(object) }

    /// Checks an error answer: its status, its `code`, and that the message names `mentions`.
    static func expectError(_ reply: RawReply, _ status: Int, _ code: String, mentions: String? = nil, _ label: String = "",
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(label): \(text(reply))", sourceLocation: sourceLocation)
        let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any]
        #expect(object?["code"] as? String == code, "\(label): \(text(reply))", sourceLocation: sourceLocation)
        if let mentions {
            #expect((object?["message"] as? String)?.contains(mentions) == true, "\(label): the message should name '\(mentions)': \(text(reply))",
                    sourceLocation: sourceLocation)
        }
    }

    static func create(_ server: ReportServer, key: String, _ body: [String: Any]) async throws -> [String: Any] {
        let reply = try await exchange(server, "POST", "api/v1/reports/schedule", key: key, body: json(body))
        try #require(reply.status == 201, "create answered \(reply.status): \(text(reply))")
        return try reply.object()
    }

    static func total(_ server: ReportServer, key: String) async throws -> Int {
        let reply = try await exchange(server, "GET", "api/v1/reports/schedule", key: key)
        try #require(reply.status == 200, "list answered \(reply.status): \(text(reply))")
        return try #require(try reply.object()["total"] as? Int)
    }

    static func iso(_ millis: Int64) -> String { CronModel.utcText(millis / 1000) }

    // MARK: - CRUD

    @Test("create, get, list, replace, run and delete round trip, every answer as schemas/openapi.yaml says; audited")
    func roundTrip() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            var checks: [OpenAPISchemas.Check] = []
            let title = "<script>alert('x')</script> & \"Weekly\""
            let created = try await exchange(server, "POST", "api/v1/reports/schedule", key: key, body: Self.json(Self.body(["title": title])))
            try #require(created.status == 201, "\(Self.text(created))")
            checks.append(.init(label: "POST /schedule", pointer: OpenAPISchemas.schema("Schedule"), instance: created.body))
            let schedule = try created.object()
            let id = try #require(schedule["schedule_id"] as? String)
            #expect(id.hasPrefix("sch_"))
            #expect(schedule["user_id"] as? String == "t1")
            #expect(schedule["title"] as? String == title, "markup in a title is kept as text")
            #expect(schedule["type"] as? String == "usage" && schedule["format"] as? String == "pdf")
            #expect(schedule["sections"] as? [String] == ["usage_summary", "message_mix", "contacts_growth", "bot_breakdown", "channel_breakdown", "hourly_heatmap"])
            #expect(schedule["cron"] as? String == "0 8 * * MON" && schedule["timezone"] as? String == "America/New_York")
            #expect(schedule["recipients"] as? [String] == ["a@example.com", "b@example.com"])
            #expect(schedule["enabled"] as? Bool == true && schedule["include_charts"] as? Bool == true)
            #expect(schedule["period"] as? String == "previous_week" && schedule["period_days"] is NSNull)
            #expect(schedule["version"] as? Int == 1)
            #expect(schedule["template_id"] is NSNull && schedule["last_run"] is NSNull)
            #expect((schedule["created_by"] as? [String: Any])?["name"] as? String == "t1-report_admin")
            let model = CronModel("0 8 * * MON")
            let newYork = try #require(TimeZone(identifier: "America/New_York"))
            #expect(schedule["next_run_at"] as? String == model.fires(in: newYork, after: Self.now / 1000, count: 1).first?.at)
            #expect(schedule["next_run_at"] as? String == "2026-03-09T12:00:00Z", "Monday 08:00 EDT, the day after the spring change")

            let got = try await exchange(server, "GET", "api/v1/reports/schedule/\(id)", key: key)
            #expect(got.status == 200)
            #expect(Self.canonical(try got.object()) == Self.canonical(schedule), "GET answers what POST did: \(Self.text(got))")
            checks.append(.init(label: "GET /schedule/{id}", pointer: OpenAPISchemas.schema("Schedule"), instance: got.body))

            try await Task.sleep(for: .milliseconds(5)) // a later created_at, so the list's order is known
            let second = try await Self.create(server, key: key, Self.body(["cron": "@daily", "timezone": NSNull(), "period_days": 3], removing: ["period"]))
            #expect(second["timezone"] as? String == "UTC", "no timezone: the tenant's (t1 is in UTC)")
            #expect(second["period"] as? String == "days" && second["period_days"] as? Int == 3)
            let list = try await exchange(server, "GET", "api/v1/reports/schedule", key: key)
            checks.append(.init(label: "GET /schedule", pointer: OpenAPISchemas.schema("ScheduleList"), instance: list.body))
            let listed = try list.object()
            #expect(listed["total"] as? Int == 2 && listed["limit"] as? Int == 20 && listed["offset"] as? Int == 0)
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["schedule_id"] as? String } == [id, second["schedule_id"] as? String ?? ""],
                    "oldest first")
            let page = try await exchange(server, "GET", "api/v1/reports/schedule?limit=1&offset=1", key: key).object()
            #expect(page["total"] as? Int == 2 && page["limit"] as? Int == 1 && page["offset"] as? Int == 1)
            #expect((page["items"] as? [[String: Any]])?.map { $0["schedule_id"] as? String } == [second["schedule_id"] as? String])
            for query in ["limit=0", "limit=101", "limit=x", "offset=-1", "sort=name"] {
                let refused = try await exchange(server, "GET", "api/v1/reports/schedule?\(query)", key: key)
                Self.expectError(refused, 400, "invalid_parameter", query)
                checks.append(.init(label: "GET /schedule?\(query)", pointer: OpenAPISchemas.response("BadRequest"), instance: refused.body))
            }

            let replaced = try await exchange(server, "PUT", "api/v1/reports/schedule/\(id)", key: key, body: Self.json([
                "type": "conversations", "format": "csv", "title": "Monthly", "cron": "30 6 1 * *", "timezone": "Europe/London",
                "recipients": ["c@example.com"], "period_days": 7, "include_charts": false,
            ]))
            try #require(replaced.status == 200, "\(Self.text(replaced))")
            checks.append(.init(label: "PUT /schedule/{id}", pointer: OpenAPISchemas.schema("Schedule"), instance: replaced.body))
            let updated = try replaced.object()
            #expect(updated["schedule_id"] as? String == id && updated["version"] as? Int == 2)
            #expect(updated["created_at"] as? String == schedule["created_at"] as? String)
            #expect((updated["created_by"] as? [String: Any])?["name"] as? String == "t1-report_admin")
            #expect(updated["type"] as? String == "conversations" && updated["format"] as? String == "csv" && updated["include_charts"] as? Bool == false)
            #expect(updated["period"] as? String == "days" && updated["period_days"] as? Int == 7)
            #expect(updated["recipients"] as? [String] == ["c@example.com"])
            let london = try #require(TimeZone(identifier: "Europe/London"))
            #expect(updated["next_run_at"] as? String == CronModel("30 6 1 * *").fires(in: london, after: Self.now / 1000, count: 1).first?.at)
            #expect(updated["next_run_at"] as? String == "2026-04-01T05:30:00Z", "06:30 BST")

            let disabled = try await exchange(server, "PUT", "api/v1/reports/schedule/\(id)", key: key, body: Self.json([
                "type": "conversations", "format": "csv", "title": "Monthly", "cron": "30 6 1 * *", "timezone": "Europe/London",
                "recipients": ["c@example.com"], "period_days": 7, "enabled": false,
            ])).object()
            #expect(disabled["version"] as? Int == 3, "every PUT adds 1")
            #expect(disabled["enabled"] as? Bool == false && disabled["next_run_at"] is NSNull)

            let noRuns = try await exchange(server, "GET", "api/v1/reports/schedule/\(id)/runs", key: key)
            checks.append(.init(label: "GET /schedule/{id}/runs (none)", pointer: OpenAPISchemas.schema("ScheduleRunList"), instance: noRuns.body))
            let empty = try noRuns.object()
            #expect(empty["total"] as? Int == 0 && (empty["items"] as? [Any])?.isEmpty == true)

            let started = try await exchange(server, "POST", "api/v1/reports/schedule/\(id)/run", key: key)
            try #require(started.status == 202, "\(Self.text(started))")
            checks.append(.init(label: "POST /schedule/{id}/run", pointer: OpenAPISchemas.schema("ScheduleRun"), instance: started.body))
            let run = try started.object()
            #expect(run["trigger"] as? String == "manual" && run["state"] as? String == "running")
            #expect(run["scheduled_at"] as? String == Self.iso(Self.now) && run["local"] as? String == "2026-03-06T15:00:00+00:00")
            #expect((run["report_id"] as? String)?.hasPrefix("rpt_") == true)
            let deliveries = try #require(run["deliveries"] as? [[String: Any]])
            #expect(deliveries.map { $0["recipient"] as? String } == ["c@example.com"])
            #expect(deliveries.map { $0["state"] as? String } == ["pending"] && deliveries.map { $0["attempts"] as? Int } == [0])

            let history = try await exchange(server, "GET", "api/v1/reports/schedule/\(id)/runs?limit=5", key: key)
            checks.append(.init(label: "GET /schedule/{id}/runs", pointer: OpenAPISchemas.schema("ScheduleRunList"), instance: history.body))
            let runs = try history.object()
            #expect(runs["total"] as? Int == 1 && runs["limit"] as? Int == 5)
            let listedRun = try #require((runs["items"] as? [[String: Any]])?.first)
            #expect(listedRun["scheduled_at"] as? String == run["scheduled_at"] as? String && listedRun["report_id"] as? String == run["report_id"] as? String)
            let afterRun = try await exchange(server, "GET", "api/v1/reports/schedule/\(id)", key: key)
            checks.append(.init(label: "GET /schedule/{id} with a run", pointer: OpenAPISchemas.schema("Schedule"), instance: afterRun.body))
            let lastRun = try #require(try afterRun.object()["last_run"] as? [String: Any])
            #expect(lastRun["at"] as? String == Self.iso(Self.now) && lastRun["state"] as? String == "running")
            Self.expectError(try await exchange(server, "GET", "api/v1/reports/schedule/\(id)/runs?state=sent", key: key), 400, "invalid_parameter",
                             mentions: "state")

            let deleted = try await exchange(server, "DELETE", "api/v1/reports/schedule/\(id)", key: key)
            #expect(deleted.status == 204 && deleted.body.isEmpty)
            for (method, path) in [("GET", ""), ("DELETE", ""), ("GET", "/runs"), ("POST", "/run")] {
                let gone = try await exchange(server, method, "api/v1/reports/schedule/\(id)\(path)", key: key)
                Self.expectError(gone, 404, "schedule_not_found", "\(method) \(path) after DELETE")
                checks.append(.init(label: "\(method) /schedule/{id}\(path) deleted", pointer: OpenAPISchemas.response("ScheduleNotFound"), instance: gone.body))
            }
            #expect(try await Self.total(server, key: key) == 1)

            for (action, count) in [("schedule.create", 2), ("schedule.update", 2), ("schedule.delete", 1)] {
                let audit = try await exchange(server, "GET", "api/v1/platform/audit?action=\(action)", key: server.admin).object()
                let items = try #require(audit["items"] as? [[String: Any]])
                #expect(items.count == count, "\(action): \(items)")
                #expect(items.allSatisfy { $0["user_id"] as? String == "t1" && $0["outcome"] as? String == "success" }, "\(action): \(items)")
                if action != "schedule.create" { #expect(items.allSatisfy { $0["target"] as? String == id }, "\(action): \(items)") }
            }
            try await OpenAPISchemas.expectValid(checks)
        }
    }

    // MARK: - Validation

    /// A refused body: what it changes, the answer's status and code, and a word its message must hold.
    struct Refusal {
        var label: String
        var body: String
        var status = 400
        var code: String
        var mentions: String?
    }

    static func refusals() -> [Refusal] {
        func r(_ label: String, _ changes: [String: Any], removing: [String] = [], _ code: String, _ mentions: String? = nil, status: Int = 400) -> Refusal {
            Refusal(label: label, body: json(body(changes, removing: removing)), status: status, code: code, mentions: mentions)
        }
        let many = (0...50).map { "r\($0)@example.com" }
        return [
            // Header injection through the title, which becomes the subject.
            r("CRLF in title", ["title": "Weekly\r\nBcc: x@evil.com"], "invalid_parameter", "title"),
            r("LF in title", ["title": "Weekly\nBcc: x@evil.com"], "invalid_parameter", "title"),
            r("CR in title", ["title": "Weekly\rBcc: x@evil.com"], "invalid_parameter", "title"),
            r("NUL in title", ["title": "Weekly\u{0}"], "invalid_parameter", "title"),
            r("ESC in title", ["title": "Weekly \u{1B}[31m"], "invalid_parameter", "title"),
            r("empty title", ["title": ""], "invalid_parameter", "title"),
            r("201-character title", ["title": String(repeating: "x", count: 201)], "invalid_parameter", "title"),
            r("numeric title", ["title": 5], "invalid_parameter", "title"),
            // Recipients.
            r("CRLF in a recipient", ["recipients": ["a@example.com\r\nBcc: x@evil.com"]], "invalid_recipient", "recipients[0]"),
            r("LF in the second recipient", ["recipients": ["ok@example.com", "b@example.com\nBcc: x@evil.com"]], "invalid_recipient", "recipients[1]"),
            r("CR after a recipient", ["recipients": ["a@example.com\r"]], "invalid_recipient", "recipients[0]"),
            r("NUL in a recipient", ["recipients": ["a@exa\u{0}mple.com"]], "invalid_recipient", "recipients[0]"),
            r("space in a recipient", ["recipients": ["a b@example.com"]], "invalid_recipient", "recipients[0]"),
            r("display name", ["recipients": ["Eve <a@example.com>"]], "invalid_recipient", "recipients[0]"),
            r("two addresses in one", ["recipients": ["a@example.com, c@example.com"]], "invalid_recipient", "recipients[0]"),
            r("quoted local part", ["recipients": ["\"a\"@example.com"]], "invalid_recipient", "recipients[0]"),
            r("no @", ["recipients": ["example.com"]], "invalid_recipient", "recipients[0]"),
            r("two @", ["recipients": ["a@b@example.com"]], "invalid_recipient", "recipients[0]"),
            r("no local part", ["recipients": ["@example.com"]], "invalid_recipient", "recipients[0]"),
            r("empty domain label", ["recipients": ["a@example..com"]], "invalid_recipient", "recipients[0]"),
            r("domain label starting with -", ["recipients": ["a@-example.com"]], "invalid_recipient", "recipients[0]"),
            r("255-byte address", ["recipients": [String(repeating: "a", count: 60) + "@" + String(repeating: "b", count: 194)]], "invalid_recipient", "recipients[0]"),
            r("number as a recipient", ["recipients": [5]], "invalid_recipient", "recipients[0]"),
            r("51 recipients", ["recipients": many], "invalid_recipient", "1 to 50"),
            r("no recipients", ["recipients": [String]()], "invalid_recipient", "1 to 50"),
            r("recipients missing", [:], removing: ["recipients"], "invalid_recipient", "recipients"),
            r("recipients as a string", ["recipients": "a@example.com"], "invalid_recipient", "recipients"),
            r("a recipient twice, case aside", ["recipients": ["a@example.com", "A@Example.com"]], "invalid_recipient", "twice"),
            // Cron, field by field.
            r("minute 60", ["cron": "60 8 * * *"], "invalid_cron", "cron: minute:"),
            r("minute step 0", ["cron": "*/0 8 * * *"], "invalid_cron", "cron: minute:"),
            r("hour 24", ["cron": "0 24 * * *"], "invalid_cron", "cron: hour:"),
            r("CRLF inside the hour", ["cron": "0 8\r\n * * *"], "invalid_cron", "cron: hour:"),
            r("day of month 0", ["cron": "0 8 0 * *"], "invalid_cron", "cron: day_of_month:"),
            r("day of month ?", ["cron": "0 8 ? * MON"], "invalid_cron", "cron: day_of_month:"),
            r("day of month L", ["cron": "0 8 L * *"], "invalid_cron", "cron: day_of_month:"),
            r("30 February", ["cron": "0 0 30 2 *"], "invalid_cron", "cron: day_of_month:"),
            r("month 13", ["cron": "0 8 * 13 *"], "invalid_cron", "cron: month:"),
            r("month JANUARY", ["cron": "0 8 * JANUARY *"], "invalid_cron", "cron: month:"),
            r("day of week 8", ["cron": "0 8 * * 8"], "invalid_cron", "cron: day_of_week:"),
            r("day of week FUNDAY", ["cron": "0 8 * * FUNDAY"], "invalid_cron", "cron: day_of_week:"),
            r("reversed weekday range", ["cron": "0 8 * * MON-SUN"], "invalid_cron", "cron: day_of_week:"),
            r("four fields", ["cron": "0 8 * *"], "invalid_cron", "expected 5 fields"),
            r("six fields (seconds)", ["cron": "0 0 8 * * *"], "invalid_cron", "expected 5 fields"),
            r("@reboot", ["cron": "@reboot"], "invalid_cron", "@reboot"),
            r("empty cron", ["cron": ""], "invalid_cron", "cron"),
            r("numeric cron", ["cron": 5], "invalid_cron", "cron"),
            r("cron missing", [:], removing: ["cron"], "invalid_cron", "cron"),
            // Zones.
            r("unknown zone", ["timezone": "Mars/Olympus_Mons"], "invalid_timezone", "Mars/Olympus_Mons"),
            r("raw offset", ["timezone": "+05:00"], "invalid_timezone", "timezone"),
            r("path as a zone", ["timezone": "../../etc/passwd"], "invalid_timezone", "timezone"),
            r("zone with CRLF", ["timezone": "UTC\r\nX-Evil: 1"], "invalid_timezone", "timezone"),
            r("numeric zone", ["timezone": 5], "invalid_timezone", "timezone"),
            // The report fields, as generate checks them.
            r("unknown type", ["type": "weekly"], "unknown_type", "weekly"),
            r("unknown format", ["format": "docx"], "unknown_format", "docx"),
            r("unknown section", ["sections": ["nope"]], "unknown_section", "nope"),
            r("no sections", ["sections": [String]()], "invalid_parameter", "sections"),
            r("no type", [:], removing: ["type"], "missing_parameter", "type"),
            r("unknown template", ["template_id": "tpl_missing"], "template_not_found", "tpl_missing"),
            r("bot_id with channel", ["bot_id": "b1", "channel": "web"], "invalid_parameter", "bot_id"),
            r("another tenant", ["user_id": "t2"], "forbidden_tenant", status: 403),
            // Period.
            r("unknown period", ["period": "yesterday"], "invalid_parameter", "period"),
            r("period days without a count", ["period": "days"], "invalid_parameter", "period"),
            r("period_days 0", ["period_days": 0], removing: ["period"], "invalid_parameter", "period_days"),
            r("period_days 367", ["period_days": 367], removing: ["period"], "invalid_parameter", "period_days"),
            r("period_days as text", ["period_days": "7"], removing: ["period"], "invalid_parameter", "period"),
            r("period and period_days", ["period_days": 7], "invalid_parameter", "not both"),
            // Properties the schedule does not take.
            r("start_date", ["start_date": "2026-03-01"], "invalid_parameter", "start_date"),
            r("misspelt property", ["Recipients": ["a@example.com"]], "invalid_parameter", "Recipients"),
            r("enabled as text", ["enabled": "yes"], "invalid_parameter", "enabled"),
            Refusal(label: "not JSON", body: "{\"cron\":", code: "invalid_json"),
            Refusal(label: "a JSON array", body: "[]", code: "invalid_json"),
        ]
    }

    @Test("every validation code, with hostile values; a refused POST or PUT stores nothing")
    func validation() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            let stored = try await Self.create(server, key: key, Self.body())
            let id = try #require(stored["schedule_id"] as? String)
            var checks: [OpenAPISchemas.Check] = []
            for refusal in Self.refusals() {
                for (method, path) in [("POST", "api/v1/reports/schedule"), ("PUT", "api/v1/reports/schedule/\(id)")] {
                    let reply = try await exchange(server, method, path, key: key, body: refusal.body)
                    Self.expectError(reply, refusal.status, refusal.code, mentions: refusal.mentions, "\(method) \(refusal.label)")
                    let pointer = refusal.status == 403 ? OpenAPISchemas.response("Forbidden") : OpenAPISchemas.response("ScheduleBadRequest")
                    checks.append(.init(label: "\(method) \(refusal.label)", pointer: pointer, instance: reply.body))
                }
            }
            // A platform-wide key must name the tenant.
            Self.expectError(try await exchange(server, "POST", "api/v1/reports/schedule", key: server.admin, body: Self.json(Self.body())),
                             400, "missing_parameter", mentions: "user_id")
            let huge = Self.json(Self.body(["title": String(repeating: "x", count: 70_000)]))
            Self.expectError(try await exchange(server, "POST", "api/v1/reports/schedule", key: key, body: huge), 413, "payload_too_large")

            #expect(try await Self.total(server, key: server.admin) == 1, "no refused request stored a schedule")
            let after = try await exchange(server, "GET", "api/v1/reports/schedule/\(id)", key: key).object()
            #expect(Self.canonical(after) == Self.canonical(stored), "no refused PUT changed the schedule: \(after)")
            let audit = try await exchange(server, "GET", "api/v1/platform/audit?action=schedule.update", key: server.admin).object()
            #expect((audit["items"] as? [Any])?.isEmpty == true, "a refused PUT is not audited as an update")
            try await OpenAPISchemas.expectValid(checks)
        }
    }

    // MARK: - Tenants and roles

    @Test("a tenant key neither sees nor changes another tenant's schedule (404); report_viewer and report_creator get 403 on every route")
    func tenantsAndRoles() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let t1 = server.tenantKeys[.reportAdmin]!
            let t2 = try server.settings.createKey(name: "t2-report_admin", role: .reportAdmin, userId: "t2").secret
            let theirs = try await Self.create(server, key: server.admin, Self.body(["user_id": "t2"]))
            let theirId = try #require(theirs["schedule_id"] as? String)
            #expect(theirs["user_id"] as? String == "t2")
            let ours = try await Self.create(server, key: t1, Self.body())
            let ourId = try #require(ours["schedule_id"] as? String)
            var checks: [OpenAPISchemas.Check] = []

            let routes: [(String, String, String?)] = [
                ("GET", "", nil), ("PUT", "", Self.json(Self.body())), ("DELETE", "", nil), ("GET", "/runs", nil), ("POST", "/run", nil),
            ]
            for (method, suffix, body) in routes {
                let other = try await exchange(server, method, "api/v1/reports/schedule/\(theirId)\(suffix)", key: t1, body: body)
                let unknown = try await exchange(server, method, "api/v1/reports/schedule/sch_0000000000000000\(suffix)", key: t1, body: body)
                Self.expectError(other, 404, "schedule_not_found", "\(method) t2's schedule\(suffix) with t1's key")
                Self.expectError(unknown, 404, "schedule_not_found", "\(method) an unknown schedule\(suffix)")
                checks.append(.init(label: "\(method) t2's\(suffix)", pointer: OpenAPISchemas.response("ScheduleNotFound"), instance: other.body))
            }
            let t1List = try await exchange(server, "GET", "api/v1/reports/schedule", key: t1).object()
            #expect((t1List["items"] as? [[String: Any]])?.map { $0["schedule_id"] as? String } == [ourId], "t1 lists only its own")
            let t2List = try await exchange(server, "GET", "api/v1/reports/schedule", key: t2).object()
            #expect((t2List["items"] as? [[String: Any]])?.map { $0["schedule_id"] as? String } == [theirId], "t2 lists only its own")
            #expect(try await Self.total(server, key: server.admin) == 2, "a platform-wide key lists every tenant's")
            Self.expectError(try await exchange(server, "GET", "api/v1/reports/schedule/\(ourId)", key: t2), 404, "schedule_not_found")
            // Naming the other tenant is refused, not silently rewritten.
            let named = try await exchange(server, "PUT", "api/v1/reports/schedule/\(ourId)", key: t1, body: Self.json(Self.body(["user_id": "t2"])))
            Self.expectError(named, 403, "forbidden_tenant")

            // t2's schedule is untouched, with no run.
            let untouched = try await exchange(server, "GET", "api/v1/reports/schedule/\(theirId)", key: t2).object()
            #expect(Self.canonical(untouched) == Self.canonical(theirs), "\(untouched)")
            #expect(try await exchange(server, "GET", "api/v1/reports/schedule/\(theirId)/runs", key: t2).object()["total"] as? Int == 0)

            // Roles below report_admin, tenant-bound or platform-wide, on all eight routes.
            let lowKeys = [("t1 report_viewer", server.tenantKeys[.reportViewer]!), ("t1 report_creator", server.tenantKeys[.reportCreator]!),
                           ("platform report_viewer", server.platformKeys[.reportViewer]!), ("platform report_creator", server.platformKeys[.reportCreator]!)]
            let all: [(String, String, String?)] = [
                ("POST", "api/v1/reports/schedule", Self.json(Self.body())), ("GET", "api/v1/reports/schedule", nil),
                ("POST", "api/v1/reports/schedule/preview", #"{"cron":"0 8 * * *"}"#), ("GET", "api/v1/reports/schedule/\(ourId)", nil),
                ("PUT", "api/v1/reports/schedule/\(ourId)", Self.json(Self.body(["title": "changed"]))), ("DELETE", "api/v1/reports/schedule/\(ourId)", nil),
                ("GET", "api/v1/reports/schedule/\(ourId)/runs", nil), ("POST", "api/v1/reports/schedule/\(ourId)/run", nil),
            ]
            for (label, secret) in lowKeys {
                for (method, path, body) in all {
                    let reply = try await exchange(server, method, path, key: secret, body: body)
                    Self.expectError(reply, 403, "forbidden_role", mentions: "report_admin", "\(label): \(method) \(path)")
                    checks.append(.init(label: "\(label): \(method) \(path)", pointer: OpenAPISchemas.response("Forbidden"), instance: reply.body))
                }
            }
            let anonymous = try await exchange(server, "GET", "api/v1/reports/schedule", key: nil)
            Self.expectError(anonymous, 401, "unauthorized")
            checks.append(.init(label: "no key", pointer: OpenAPISchemas.response("Unauthorized"), instance: anonymous.body))
            let still = try await exchange(server, "GET", "api/v1/reports/schedule/\(ourId)", key: t1).object()
            #expect(still["version"] as? Int == 1 && still["title"] as? String == "Weekly usage" && still["last_run"] is NSNull)
            #expect(try await Self.total(server, key: server.admin) == 2)
            try await OpenAPISchemas.expectValid(checks)
        }
    }

    // MARK: - Without a mail server, and without a scheduler

    @Test("without --smtp-url creating and running a schedule is 409 smtp_not_configured; the rest still answers")
    func smtpNotConfigured() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-schedules-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var id = ""
        try await withReportServer(directory: directory, scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            id = try #require(try await Self.create(server, key: server.tenantKeys[.reportAdmin]!, Self.body())["schedule_id"] as? String)
        }
        // The same data directory, served again without a mail server.
        try await withReportServer(directory: directory, scheduler: try Self.configuration(smtp: false), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            var checks: [OpenAPISchemas.Check] = []
            for body in [Self.json(Self.body()), Self.json(Self.body(["title": "a\r\nBcc: x@evil.com"]))] {
                let refused = try await exchange(server, "POST", "api/v1/reports/schedule", key: key, body: body)
                Self.expectError(refused, 409, "smtp_not_configured", mentions: "--smtp-url")
                checks.append(.init(label: "POST /schedule", pointer: OpenAPISchemas.operation("/api/v1/reports/schedule", "post", "409"), instance: refused.body))
            }
            let run = try await exchange(server, "POST", "api/v1/reports/schedule/\(id)/run", key: key)
            Self.expectError(run, 409, "smtp_not_configured", mentions: "--smtp-url")
            checks.append(.init(label: "POST /run", pointer: OpenAPISchemas.operation("/api/v1/reports/schedule/{scheduleId}/run", "post", "409"), instance: run.body))
            #expect(try await Self.total(server, key: key) == 1)
            #expect(try await exchange(server, "GET", "api/v1/reports/schedule/\(id)/runs", key: key).object()["total"] as? Int == 0)
            #expect(try await exchange(server, "GET", "api/v1/reports/schedule/\(id)", key: key).status == 200)
            #expect(try await exchange(server, "POST", "api/v1/reports/schedule/preview", key: key, body: #"{"cron":"0 8 * * *"}"#).status == 200)
            let health = try await exchange(server, "GET", "healthz", key: nil)
            #expect(try health.object()["failedScheduledRuns24h"] as? Int == 0, "\(Self.text(health))")
            checks.append(.init(label: "GET /healthz", pointer: OpenAPISchemas.schema("Health"), instance: health.body))
            #expect(try await exchange(server, "DELETE", "api/v1/reports/schedule/\(id)", key: key).status == 204)
            try await OpenAPISchemas.expectValid(checks)
        }
        // Without a scheduler the routes are not served, and /healthz leaves the count out.
        try await withReportServer { server in
            Self.expectError(try await exchange(server, "GET", "api/v1/reports/schedule/sch_1/runs", key: server.admin), 404, "not_found")
            let health = try await exchange(server, "GET", "healthz", key: nil).object()
            #expect(health["failedScheduledRuns24h"] == nil)
        }
    }

    // MARK: - Templates

    @Test("DELETE of a template that a schedule uses is 409 template_in_use until the schedule goes; another tenant cannot use it")
    func templateInUse() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            let template = try await exchange(server, "POST", "api/v1/reports/templates", key: key,
                                              body: #"{"name":"Weekly","type":"conversations","sections":["conversation_depth"],"format":"html"}"#)
            try #require(template.status == 201, "\(Self.text(template))")
            let templateId = try #require(try template.object()["template_id"] as? String)
            let schedule = try await Self.create(server, key: key, Self.body(["template_id": templateId], removing: ["type", "format"]))
            let id = try #require(schedule["schedule_id"] as? String)
            #expect(schedule["template_id"] as? String == templateId && schedule["template_version"] as? Int == 1)
            #expect(schedule["type"] as? String == "conversations" && schedule["format"] as? String == "html")
            #expect(schedule["sections"] as? [String] == ["conversation_depth"])

            let refused = try await exchange(server, "DELETE", "api/v1/reports/templates/\(templateId)", key: key)
            Self.expectError(refused, 409, "template_in_use", mentions: id)
            let checks = [OpenAPISchemas.Check(label: "DELETE template in use", pointer: OpenAPISchemas.response("TemplateDeleteConflict"), instance: refused.body)]
            #expect(try await exchange(server, "GET", "api/v1/reports/templates/\(templateId)", key: key).status == 200, "the template stays")

            // Another tenant's schedule cannot name t1's template.
            let foreign = try await exchange(server, "POST", "api/v1/reports/schedule", key: server.admin,
                                             body: Self.json(Self.body(["template_id": templateId, "user_id": "t2"], removing: ["type"])))
            Self.expectError(foreign, 400, "template_not_found")

            #expect(try await exchange(server, "DELETE", "api/v1/reports/schedule/\(id)", key: key).status == 204)
            #expect(try await exchange(server, "DELETE", "api/v1/reports/templates/\(templateId)", key: key).status == 204)
            try await OpenAPISchemas.expectValid(checks)
        }
    }

    // MARK: - Fire instants against the model

    @Test("next_run_at equals the model's next fire after the scheduler's clock, across zones and a DST gap")
    func nextRunAt() async throws {
        // Sunday 2026-03-08 06:50 UTC: 01:50 EST, ten minutes before New York springs forward.
        let now: Int64 = 1_772_952_600_000
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            let cases: [(String, String, String?)] = [
                ("30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z"), ("0 8 * * MON", "America/New_York", nil),
                ("*/15 2-3 * * *", "America/New_York", "2026-03-08T07:00:00Z"), ("0 1 * * *", "Europe/London", nil),
                ("15 2 * * SUN", "Australia/Lord_Howe", nil), ("0 9 * * 1-5", "Asia/Kathmandu", nil), ("@daily", "UTC", nil),
                ("0 0 1,15 * FRI", "Europe/London", nil), ("@monthly", "Asia/Kathmandu", "2026-03-31T18:15:00Z"),
            ]
            for (cron, zone, known) in cases {
                let schedule = try await Self.create(server, key: key, Self.body(["cron": cron, "timezone": zone]))
                let expected = CronModel(cron).fires(in: try #require(TimeZone(identifier: zone)), after: now / 1000, count: 1).first?.at
                #expect(schedule["next_run_at"] as? String == expected, "\(cron) in \(zone)")
                if let known { #expect(expected == known, "the model itself: \(cron) in \(zone)") }
            }
            let off = try await Self.create(server, key: key, Self.body(["enabled": false]))
            #expect(off["next_run_at"] is NSNull)
        }
    }

    /// Every 2026–2027 offset change of `zone`, by Foundation.
    static func transitions(of zone: TimeZone) -> [Int64] {
        var found: [Int64] = []
        var cursor = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
        let end = Date(timeIntervalSince1970: 1_830_297_600) // 2028-01-01T00:00:00Z
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            found.append(Int64(next.timeIntervalSince1970))
            cursor = next
        }
        return found
    }

    /// Cron expressions whose times fall in the gaps and overlaps of the zones below (New York
    /// 02:00–02:59 and 01:00–01:59, London 01:00–01:59 both ways, Lord Howe 02:00–02:29 and
    /// 01:30–01:59), with how many fires to ask for.
    static let previewCrons: [(cron: String, count: Int)] = [
        ("30 2 * * *", 3), ("15 2 * * *", 3), ("*/15 1-3 * * *", 14), ("0 1 * * *", 3), ("45 1 * * 0", 2), ("0,30 * * * *", 12),
    ]

    @Test("POST /preview equals the brute-force model at every 2026–2027 offset change of New York, London and Lord Howe, and in Kathmandu")
    func previewAgainstModel() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            var cases: [(zone: String, from: String, fromSeconds: Int64, cron: String, count: Int)] = []
            for zoneName in ["America/New_York", "Europe/London", "Australia/Lord_Howe"] {
                let zone = try #require(TimeZone(identifier: zoneName))
                let changes = Self.transitions(of: zone)
                #expect(changes.count == 4, "\(zoneName) changes its offset twice a year: \(changes)")
                for change in changes {
                    for (cron, count) in Self.previewCrons {
                        cases.append((zoneName, CronModel.utcText(change - 3 * 3600), change - 3 * 3600, cron, count))
                    }
                    // From inside the hour after the change: in an overlap, its second pass.
                    for (cron, count) in Self.previewCrons where cron.hasPrefix("*") || cron.hasPrefix("0,") {
                        cases.append((zoneName, CronModel.utcText(change + 20 * 60), change + 20 * 60, cron, count))
                    }
                }
            }
            let kathmandu = try #require(TimeZone(identifier: "Asia/Kathmandu"))
            #expect(Self.transitions(of: kathmandu).isEmpty, "Asia/Kathmandu has no DST")
            // 2026-01-01T00:00:00Z, and 2027-07-16T00:00:00+05:45 (2027-07-15T18:15:00Z), given with its offset.
            for (from, seconds) in [("2026-01-01T00:00:00Z", Int64(1_767_225_600)), ("2027-07-16T00:00:00+05:45", Int64(1_815_675_300))] {
                for (cron, count) in Self.previewCrons { cases.append(("Asia/Kathmandu", from, seconds, cron, count)) }
            }

            var checks: [OpenAPISchemas.Check] = []
            var compared = 0
            for item in cases {
                let request = Self.json(["cron": item.cron, "timezone": item.zone, "from": item.from, "count": item.count])
                let reply = try await exchange(server, "POST", "api/v1/reports/schedule/preview", key: key, body: request)
                guard reply.status == 200 else {
                    Issue.record("\(request) answered \(reply.status): \(Self.text(reply))")
                    continue
                }
                checks.append(.init(label: request, pointer: OpenAPISchemas.schema("SchedulePreview"), instance: reply.body))
                let answer = try reply.object()
                #expect(answer["cron"] as? String == item.cron && answer["timezone"] as? String == item.zone)
                let fires = (answer["fires"] as? [[String: String]] ?? []).map { CronModel.Fire(at: $0["at"] ?? "?", local: $0["local"] ?? "?") }
                let model = CronModel(item.cron).fires(in: try #require(TimeZone(identifier: item.zone)), after: item.fromSeconds, count: item.count)
                #expect(fires == model, "\(item.cron) in \(item.zone) after \(item.from):\n  tally \(fires)\n  model \(model)")
                compared += fires.count
            }
            #expect(compared == cases.reduce(0) { $0 + $1.count }, "every preview answers `count` fires: \(compared) compared")
            try await OpenAPISchemas.expectValid(checks)
        }
    }

    @Test("the DST examples of the documentation, the preview's defaults and its errors")
    func previewExamplesAndErrors() async throws {
        try await withReportServer(scheduler: try Self.configuration(), scheduleClock: FixedScheduleClock(now: Self.now)) { server in
            let key = server.tenantKeys[.reportAdmin]!
            func fires(_ body: String) async throws -> [[String: String]] {
                let reply = try await exchange(server, "POST", "api/v1/reports/schedule/preview", key: key, body: body)
                try #require(reply.status == 200, "\(body): \(Self.text(reply))")
                return try reply.object()["fires"] as? [[String: String]] ?? []
            }
            // Gap: 02:30 does not exist on 2026-03-08 in New York; it fires once at 03:00 EDT.
            #expect(try await fires(#"{"cron":"30 2 * * *","timezone":"America/New_York","from":"2026-03-07T12:00:00Z","count":2}"#) == [
                ["at": "2026-03-08T07:00:00Z", "local": "2026-03-08T03:00:00-04:00"], ["at": "2026-03-09T06:30:00Z", "local": "2026-03-09T02:30:00-04:00"],
            ])
            // All of one gap's times and the one at its end make one fire.
            #expect(try await fires(#"{"cron":"*/15 2-3 * * *","timezone":"America/New_York","from":"2026-03-08T06:00:00Z","count":2}"#) == [
                ["at": "2026-03-08T07:00:00Z", "local": "2026-03-08T03:00:00-04:00"], ["at": "2026-03-08T07:15:00Z", "local": "2026-03-08T03:15:00-04:00"],
            ])
            // Overlap: 01:30 happens twice on 2026-11-01; only the first fires.
            #expect(try await fires(#"{"cron":"30 1 * * *","timezone":"America/New_York","from":"2026-11-01T04:00:00Z","count":2}"#) == [
                ["at": "2026-11-01T05:30:00Z", "local": "2026-11-01T01:30:00-04:00"], ["at": "2026-11-02T06:30:00Z", "local": "2026-11-02T01:30:00-05:00"],
            ])
            // Defaults: the tenant's zone (UTC for t1), after the server's clock, 5 fires.
            let defaults = try await exchange(server, "POST", "api/v1/reports/schedule/preview", key: key, body: #"{"cron":"@hourly"}"#).object()
            #expect(defaults["timezone"] as? String == "UTC" && (defaults["fires"] as? [Any])?.count == 5)
            let fifty = try await fires(#"{"cron":"* * * * *","from":"2026-01-01T00:00:00Z","count":50}"#)
            #expect(fifty.count == 50 && fifty.last?["at"] == "2026-01-01T00:50:00Z" && fifty.first?["local"] == "2026-01-01T00:01:00+00:00")

            var checks: [OpenAPISchemas.Check] = []
            let pointer = OpenAPISchemas.operation("/api/v1/reports/schedule/preview", "post", "400")
            for (body, code, mentions) in [
                (#"{"cron":"0 24 * * *"}"#, "invalid_cron", "cron: hour: 24 is out of range 0-23"),
                (#"{"cron":"0 8 * * FUNDAY"}"#, "invalid_cron", "cron: day_of_week: unknown name 'FUNDAY'"),
                (#"{"cron":"0 8 * * * *"}"#, "invalid_cron", "cron: expected 5 fields separated by spaces, got 6"),
                (#"{"cron":"0 0 31 4,6 *"}"#, "invalid_cron", "cron: day_of_month:"),
                (#"{"timezone":"UTC"}"#, "invalid_cron", "cron"),
                (#"{"cron":"0 8 * * *","timezone":"Mars/Olympus_Mons"}"#, "invalid_timezone", "Mars/Olympus_Mons"),
                (#"{"cron":"0 8 * * *","timezone":"EST5EDT\r\n"}"#, "invalid_timezone", "timezone"),
                (#"{"cron":"0 8 * * *","count":0}"#, "invalid_parameter", "count"),
                (#"{"cron":"0 8 * * *","count":51}"#, "invalid_parameter", "count"),
                (#"{"cron":"0 8 * * *","count":"5"}"#, "invalid_parameter", "count"),
                (#"{"cron":"0 8 * * *","from":"yesterday"}"#, "invalid_parameter", "from"),
                (#"{"cron":"0 8 * * *","from":"2026-03-08T07:00:00"}"#, "invalid_parameter", "from"),
                (#"{"cron":"0 8 * * *","zone":"UTC"}"#, "invalid_parameter", "zone"),
                ("{", "invalid_json", nil),
            ] {
                let reply = try await exchange(server, "POST", "api/v1/reports/schedule/preview", key: key, body: body)
                Self.expectError(reply, 400, code, mentions: mentions, body)
                checks.append(.init(label: body, pointer: pointer, instance: reply.body))
            }
            try await OpenAPISchemas.expectValid(checks)
        }
    }
}

/// A scheduler clock that stands still, so that `next_run_at` is known exactly.
struct FixedScheduleClock: ScheduleClock {
    let now: Int64
    func nowMillis() -> Int64 { now }
    func sleep(millis: Int64) async throws { try await Task.sleep(for: .milliseconds(millis)) }
}

/// An independent model of a schedule's fire instants, for the tests: a plain cron matcher and a
/// walk over every UTC minute with Foundation's `TimeZone` (not Tally's `LocalClock`,
/// `CronExpression` or `CronSchedule`). A UTC minute whose wall-clock minute is later than every
/// wall-clock minute seen before it brings that minute, and every wall-clock minute the clock
/// jumped over to reach it (a spring-forward gap), into being; it fires when one of them matches.
/// A wall-clock minute seen before (the second pass of a fall-back overlap) fires nothing. So a
/// time in a gap fires once at the first instant after the gap, and a time in an overlap at its
/// first occurrence.
struct CronModel {
    struct Fire: Equatable, CustomStringConvertible {
        var at: String
        var local: String
        var description: String { "\(at) \(local)" }
    }

    var minutes: Set<Int>, hours: Set<Int>, daysOfMonth: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    /// Vixie's rule: a day field starting with `*` is unrestricted.
    var dayOfMonthRestricted: Bool, weekdayRestricted: Bool

    static let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
                         "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    init(_ text: String) {
        let fields = (Self.macros[text] ?? text).split(separator: " ").map(String.init)
        precondition(fields.count == 5, "the model takes five fields: \(text)")
        minutes = Self.values(fields[0], 0...59)
        hours = Self.values(fields[1], 0...23)
        daysOfMonth = Self.values(fields[2], 1...31)
        months = Self.values(fields[3], 1...12, names: Self.monthNames, firstName: 1)
        weekdays = Set(Self.values(fields[4], 0...6, names: Self.weekdayNames, firstName: 0).map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        weekdayRestricted = !fields[4].hasPrefix("*")
    }

    /// `*`, `a`, `a-b`, each with an optional `/n`, in a comma-separated list; 7 is read as a value
    /// (and folded to Sunday by the caller).
    static func values(_ field: String, _ range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0) -> Set<Int> {
        func value(_ text: Substring) -> Int {
            if let index = names.firstIndex(of: text.uppercased()) { return index + firstName }
            return Int(text)!
        }
        var result = Set<Int>()
        for item in field.split(separator: ",") {
            let parts = item.split(separator: "/")
            let step = parts.count == 2 ? Int(parts[1])! : 1
            var low = range.lowerBound, high = range.upperBound
            if parts[0] != "*" {
                let ends = parts[0].split(separator: "-")
                low = value(ends[0])
                high = ends.count == 2 ? value(ends[1]) : (parts.count == 2 ? range.upperBound : low)
            }
            for v in stride(from: low, through: high, by: step) { result.insert(v) }
        }
        return result
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Whether the wall-clock minute `local` (minutes since 1970-01-01 00:00 on that clock) matches.
    func matches(localMinute local: Int64) -> Bool {
        let minuteOfDay = Int(((local % 1440) + 1440) % 1440)
        guard minutes.contains(minuteOfDay % 60), hours.contains(minuteOfDay / 60) else { return false }
        let parts = Self.utc.dateComponents([.month, .day, .weekday], from: Date(timeIntervalSince1970: TimeInterval(local * 60)))
        guard months.contains(parts.month!) else { return false }
        let dayMatches = daysOfMonth.contains(parts.day!), weekdayMatches = weekdays.contains(parts.weekday! - 1)
        return dayOfMonthRestricted && weekdayRestricted ? dayMatches || weekdayMatches : dayMatches && weekdayMatches
    }

    /// The first `count` fires strictly after `from` (seconds since the epoch), within 400 days.
    func fires(in zone: TimeZone, after from: Int64, count: Int) -> [Fire] {
        var fires: [Fire] = []
        var instant = Self.floor(from, 60) - 6 * 3600
        var latestLocal: Int64?
        while fires.count < count, instant <= from + 400 * 86_400 {
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
            let local = Self.floor(instant + offset, 60) / 60
            let first = (latestLocal ?? local - 1) + 1
            if local >= first {
                if instant > from, (first...local).contains(where: matches(localMinute:)) {
                    fires.append(Fire(at: Self.utcText(instant), local: Self.localText(instant, offset: offset)))
                }
                latestLocal = local
            }
            instant += 60
        }
        return fires
    }

    static func floor(_ value: Int64, _ unit: Int64) -> Int64 { value >= 0 ? value / unit * unit : (value - unit + 1) / unit * unit }

    static func wallText(_ seconds: Int64) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    static func utcText(_ seconds: Int64) -> String { wallText(seconds) + "Z" }

    static func localText(_ seconds: Int64, offset: Int64) -> String {
        let minutes = abs(offset) / 60
        return wallText(seconds + offset) + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
