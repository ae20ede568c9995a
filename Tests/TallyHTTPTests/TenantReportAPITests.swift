import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyHTTP
import TallyTestSupport

/// ChatBotKit's tenant-wide reports (Alerts, Comprehensive Overview and Analytics, Platform
/// Overview) and Bot Alerts over a real socket: every answer, single, batch and on `/fetch`,
/// passes ChatBotKit's output schema (judged by Python's jsonschema) and equals the oracle's
/// computation over raw events; inputs are accepted exactly when the schema accepts them.
@Suite("Tenant-wide reports and Bot Alerts over HTTP")
struct TenantReportAPITests {
    static let today = Day(iso: "2026-03-15")!

    /// Bot ids that would be markup or a spreadsheet formula if pasted unescaped: they come back
    /// as the top bots' and the lists' ids and names.
    static let hostileBots = ["<img src=x onerror=alert(1)>\"", "=HYPERLINK(\"http://x\",\"y\")"]

    static func events() -> [Event] {
        Array(TrafficGenerator(seed: 91, tenants: 2, days: 40, endDay: today, total: 3_000)).enumerated().map { index, event in
            var event = event
            if index % 7 == 0 { event.botId = hostileBots[index % 2] }
            if index % 13 == 0 { event.botId = nil }
            return event
        }
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("single, batch and /fetch answers pass ChatBotKit's schemas and equal the oracle, with each report's default period")
    func answersConformAndMatch() async throws {
        let events = Self.events()
        let oracle = TenantReportOracle(events: events)
        try await withLiveServer(today: { Self.today }, events: events) { server in
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            var checks: [SchemaCheck] = []
            var hostileListed = false
            for periodDays in [nil, 1, 7, 30] as [Int?] {
                for topBots in [nil, 2, 20] as [Int?] {
                    var batch: [String: Any] = [:]
                    for report in TenantReport.allCases {
                        if topBots != nil && report != .platformOverview { continue }
                        var input: [String: Any] = [:]
                        if let periodDays { input["periodDays"] = periodDays }
                        if let topBots { input["topBotsLimit"] = topBots; input["recentWorkLimit"] = 20 }
                        let days = periodDays ?? (report == .platformOverview ? 7 : 30)
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: "tenant-1", periodDays: days, end: Self.today,
                                                                    topBotsLimit: topBots ?? 5))
                        let label = "\(report.name) \(periodDays.map { "\($0)d" } ?? "default") top \(topBots ?? 5)"
                        let single = try await send(server, "POST", "api/v1/platform/report/\(report.id)/generate?userId=tenant-1",
                                                    key: server.platformKey, body: try Self.json(input), session: session)
                        try #require(single.status == 200, "\(label): \(String(decoding: single.body, as: UTF8.self))")
                        #expect(BotReportOracle.canonical(try single.object()) == BotReportOracle.canonical(expected), "\(label)")
                        checks.append(SchemaCheck(label: label, schemaFile: SchemaValidator.chatBotKitSchemas,
                                                  schemaPointer: "/reports/\(report.id)/output", instance: single.body))
                        let text = String(decoding: single.body, as: UTF8.self)
                        hostileListed = hostileListed || text.contains("\\u003cimg") || text.contains("<img src=x")

                        var fetchBody = input
                        fetchBody["userId"] = "tenant-1"
                        fetchBody["endDate"] = Self.today.iso
                        let fetched = try await send(server, "POST", "api/v1/report/\(report.id)/fetch", key: server.platformKey,
                                                     body: try Self.json(fetchBody), session: session)
                        try #require(fetched.status == 200, "/fetch \(label): \(String(decoding: fetched.body, as: UTF8.self))")
                        #expect(BotReportOracle.canonical(try fetched.object()) == BotReportOracle.canonical(expected), "/fetch \(label)")
                        batch[report.id] = input
                    }
                    // One member fails (an unknown report); the others still answer.
                    batch["no-such-report"] = [String: Any]()
                    let reply = try await send(server, "POST", "api/v1/platform/report/generate?userId=tenant-1", key: server.platformKey,
                                               body: try Self.json(batch), session: session)
                    try #require(reply.status == 200)
                    let answers = try reply.object()
                    #expect(((answers["no-such-report"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "report_not_found")
                    for id in batch.keys where id != "no-such-report" {
                        checks.append(SchemaCheck(label: "batch \(id) \(periodDays ?? 0)d", schemaFile: SchemaValidator.chatBotKitSchemas,
                                                  schemaPointer: "/reports/\(id)/output", instance: reply.body, instancePointer: "/" + id))
                    }
                }
            }
            #expect(hostileListed, "a hostile bot id is among the top bots or lists")
            let failures = try SchemaValidator.judge(checks).filter { !$0.valid }
            #expect(failures.isEmpty, "\(failures.prefix(3).map { "\($0.label): \($0.errors)" })")
        }
    }

    @Test("hostile bot ids come back exactly as stored, JSON-escaped, as ids and names")
    func hostileIdsRoundTrip() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            let answer = try await send(server, "POST", "api/v1/platform/report/\(TenantReport.platformOverview.id)/generate?userId=tenant-1",
                                        key: server.platformKey, body: #"{"periodDays":30,"topBotsLimit":20}"#).object()
            let bots = try #require(answer["topBots"] as? [[String: Any]])
            let ids = Set(bots.compactMap { $0["id"] as? String })
            #expect(ids.isSuperset(of: Self.hostileBots), "\(ids)")
            #expect(bots.allSatisfy { ($0["id"] as? String) == ($0["name"] as? String) })
        }
    }

    @Test("Bot Alerts and Platform Overview default to 7 days, on generate and on /fetch")
    func defaultPeriods() async throws {
        let events = Self.events()
        try await withLiveServer(today: { Self.today }, events: events) { server in
            let botAlerts = BotReport.alerts.id
            for (path, body) in [("api/v1/platform/report/\(botAlerts)/generate?userId=tenant-1", #"{"botId":"bot-1"}"#),
                                 ("api/v1/report/\(botAlerts)/fetch", #"{"userId":"tenant-1","botId":"bot-1","endDate":"2026-03-15"}"#)] {
                let reply = try await send(server, "POST", path, key: server.platformKey, body: body)
                try #require(reply.status == 200)
                let expected = try #require(BotReportOracle(events: events).expected(reportId: botAlerts, tenant: "tenant-1", botId: "bot-1",
                                                                                    periodDays: 7, end: Self.today))
                #expect(BotReportOracle.canonical(try reply.object()) == BotReportOracle.canonical(expected), "\(path)")
            }
            let platform = try await send(server, "POST", "api/v1/report/\(TenantReport.platformOverview.id)/fetch", key: server.platformKey,
                                          body: #"{"userId":"tenant-1"}"#).object()
            #expect(platform["period"] as? String == "last 7 days")
        }
    }

    @Test("the list carries every new report with ChatBotKit as their source and its schemas")
    func listed() async throws {
        try await withLiveServer { server in
            let items = try #require(try await send(server, "GET", "api/v1/platform/report/list?take=100", key: server.tenantKey).object()["items"] as? [[String: Any]])
            for (id, name) in TenantReport.allCases.map({ ($0.id, $0.name) }) + [(BotReport.alerts.id, BotReport.alerts.name)] {
                let item = try #require(items.first { $0["id"] as? String == id }, "\(name) is listed")
                #expect(item["name"] as? String == name)
                #expect(item["source"] as? String == "chatbotkit")
                #expect(item["input"] is [String: Any] && item["output"] is [String: Any])
            }
        }
    }

    static let inputs = [
        "{}", #"{"periodDays":7}"#, #"{"periodDays":7.0}"#, #"{"periodDays":0}"#, #"{"periodDays":"7"}"#, #"{"periodDays":null}"#,
        #"{"periodDay":7}"#, #"{"userId":"tenant-1"}"#, #"{"topBotsLimit":20}"#, #"{"topBotsLimit":21}"#, #"{"topBotsLimit":0}"#,
        #"{"topBotsLimit":1.0}"#, #"{"topBotsLimit":2.5}"#, #"{"recentWorkLimit":4,"periodDays":3}"#, #"{"recentWorkLimit":true}"#,
        #"{"limit":5}"#, #"{"botId":"bot-1"}"#, #"{"botId":"bot-1","periodDays":3}"#, #"{"botId":5}"#, #"{"botId":"bot-1","limit":3}"#,
    ]

    @Test("Tally accepts exactly the inputs jsonschema accepts (and refuses periodDays over 365, its own bound)")
    func inputsAgreeWithSchemas() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            var cases: [(label: String, accepted: Bool)] = []
            var checks: [SchemaCheck] = []
            for id in TenantReport.allCases.map(\.id) + [BotReport.alerts.id] {
                for input in Self.inputs {
                    let reply = try await send(server, "POST", "api/v1/platform/report/\(id)/generate?userId=tenant-1", key: server.platformKey, body: input)
                    #expect([200, 400].contains(reply.status), "\(id) \(input): \(reply.status)")
                    cases.append(("\(id) \(input)", reply.status == 200))
                    checks.append(SchemaCheck(label: "\(id) \(input)", schemaFile: SchemaValidator.chatBotKitSchemas,
                                              schemaPointer: "/reports/\(id)/input", instance: Data(input.utf8)))
                }
                let tooLong = try await send(server, "POST", "api/v1/platform/report/\(id)/generate?userId=tenant-1", key: server.platformKey,
                                             body: id == BotReport.alerts.id ? #"{"botId":"b","periodDays":366}"# : #"{"periodDays":366}"#)
                try expectError(tooLong, 400, code: "invalid_parameter", mentions: "365")
            }
            for (verdict, judged) in zip(cases, try SchemaValidator.judge(checks)) {
                #expect(judged.valid == verdict.accepted, "\(verdict.label): schema \(judged.valid) \(judged.errors), Tally \(verdict.accepted)")
            }
        }
    }

    @Test("bad inputs are refused with 400, a stable code and the property named", arguments: [
        (TenantReport.alerts.id, "generate", #"{"botId":"b"}"#, "invalid_parameter", "'botId'"),
        (TenantReport.alerts.id, "generate", #"{"topBotsLimit":3}"#, "invalid_parameter", "'topBotsLimit'"),
        (TenantReport.comprehensiveOverview.id, "generate", #"{"periodDays":-3}"#, "invalid_parameter", "periodDays"),
        (TenantReport.platformOverview.id, "generate", #"{"topBotsLimit":0}"#, "invalid_parameter", "topBotsLimit must be an integer from 1 to 20"),
        (TenantReport.platformOverview.id, "generate", #"{"recentWorkLimit":"4"}"#, "invalid_parameter", "recentWorkLimit"),
        (TenantReport.platformOverview.id, "generate", #"{"limit":4}"#, "invalid_parameter", "'limit'"),
        (TenantReport.comprehensiveAnalytics.id, "fetch", #"{"userId":"t1","botId":"b"}"#, "invalid_parameter", "botId does not apply"),
        (TenantReport.comprehensiveAnalytics.id, "fetch", #"{"userId":"t1","channel":"web"}"#, "invalid_parameter", "channel does not apply"),
        (TenantReport.alerts.id, "fetch", #"{"userId":"t1","groupBy":"botId"}"#, "invalid_parameter", "groupBy"),
        (TenantReport.alerts.id, "fetch", #"{"userId":"t1","topBotsLimit":2}"#, "invalid_parameter", "'topBotsLimit'"),
        (TenantReport.platformOverview.id, "fetch", #"{"userId":"t1","topBotsLimit":21}"#, "invalid_parameter", "topBotsLimit"),
        (BotReport.alerts.id, "generate", #"{"periodDays":7}"#, "missing_parameter", "botId"),
        (BotReport.alerts.id, "generate", #"{"botId":"b","limit":3}"#, "invalid_parameter", "'limit'"),
        (BotReport.alerts.id, "fetch", #"{"userId":"t1"}"#, "missing_parameter", "botId"),
    ])
    func badInputs(id: String, route: String, body: String, code: String, mentions: String) async throws {
        try await withLiveServer { server in
            let path = route == "fetch" ? "api/v1/report/\(id)/fetch" : "api/v1/platform/report/\(id)/generate"
            try expectError(try await send(server, "POST", path, key: server.tenantKey, body: body), 400, code: code, mentions: mentions)
        }
    }
}
