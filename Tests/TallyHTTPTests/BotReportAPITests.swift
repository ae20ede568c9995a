import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyHTTP
import TallyTestSupport

/// ChatBotKit's Bot Stats and Bot Performance over a real socket: every answer, single, batch and
/// on `/fetch`, passes ChatBotKit's output schema (judged by Python's jsonschema) and equals the
/// oracle's count of raw events; bad inputs are refused with a stable code.
@Suite("Per-bot reports over HTTP")
struct BotReportAPITests {
    static let today = Day(iso: "2026-03-15")!

    /// Generated traffic of three bots, plus a bot whose id would be markup if pasted into HTML.
    static func events() -> [Event] {
        BotReportOracle.withReasons(Array(TrafficGenerator(seed: 77, tenants: 2, days: 40, endDay: today, total: 3_000))).enumerated().map { index, event in
            var event = event
            if index % 11 == 0 { event.botId = "<img src=x onerror=alert(1)>\"" }
            return event
        }
    }

    static let bots = ["bot-1", "bot-3", "<img src=x onerror=alert(1)>\"", "bot-never"]

    static func body(bot: String, periodDays: Int) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["botId": bot, "periodDays": periodDays]), as: UTF8.self)
    }

    @Test("single, batch and /fetch answers pass ChatBotKit's schema and equal the oracle")
    func answersConformAndMatch() async throws {
        let events = Self.events()
        let oracle = BotReportOracle(events: events)
        try await withLiveServer(today: { Self.today }, events: events) { server in
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            var checks: [SchemaCheck] = []
            for bot in Self.bots {
                for periodDays in [1, 7, 30] {
                    var batch: [String] = []
                    for report in BotReport.allCases {
                        let expected = try #require(oracle.expected(reportId: report.id, tenant: "tenant-1", botId: bot, periodDays: periodDays, end: Self.today))
                        let body = try Self.body(bot: bot, periodDays: periodDays)
                        let single = try await send(server, "POST", "api/v1/platform/report/\(report.id)/generate?userId=tenant-1",
                                                    key: server.platformKey, body: body, session: session)
                        try #require(single.status == 200, "\(String(decoding: single.body, as: UTF8.self))")
                        #expect(BotReportOracle.canonical(try single.object()) == BotReportOracle.canonical(expected), "\(report.name) \(bot) \(periodDays)d")
                        checks.append(SchemaCheck(label: "\(report.name) \(bot) \(periodDays)d", schemaFile: SchemaValidator.chatBotKitSchemas,
                                                  schemaPointer: "/reports/\(report.id)/output", instance: single.body))

                        var fetchBody = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                        fetchBody["userId"] = "tenant-1"
                        fetchBody["endDate"] = Self.today.iso
                        let fetched = try await send(server, "POST", "api/v1/report/\(report.id)/fetch", key: server.platformKey,
                                                     body: String(decoding: try JSONSerialization.data(withJSONObject: fetchBody), as: UTF8.self),
                                                     session: session)
                        try #require(fetched.status == 200)
                        #expect(BotReportOracle.canonical(try fetched.object()) == BotReportOracle.canonical(expected), "/fetch \(report.name) \(bot) \(periodDays)d")
                        batch.append(#""\#(report.id)":\#(body)"#)
                    }
                    // One member fails (no botId); the others still answer.
                    batch.append(#""clr3m5n8k000608jq3k0l1m7g":{"periodDays":\#(periodDays)}"#)
                    let failing = BotReport.stats.id
                    let reply = try await send(server, "POST", "api/v1/platform/report/generate?userId=tenant-1", key: server.platformKey,
                                               body: "{\(batch.dropFirst().joined(separator: ",")),\"\(failing)\":{\"periodDays\":3}}", session: session)
                    try #require(reply.status == 200)
                    let answers = try reply.object()
                    let error = try #require((answers[failing] as? [String: Any])?["error"] as? [String: Any])
                    #expect(error["code"] as? String == "missing_parameter")
                    #expect((answers["clr3m5n8k000608jq3k0l1m7g"] as? [String: Any])?["value"] != nil)
                    checks.append(SchemaCheck(label: "batch Bot Performance \(bot) \(periodDays)d", schemaFile: SchemaValidator.chatBotKitSchemas,
                                              schemaPointer: "/reports/\(BotReport.performance.id)/output", instance: reply.body,
                                              instancePointer: "/" + SchemaValidator.pointerToken(BotReport.performance.id)))
                }
            }
            let failures = try SchemaValidator.judge(checks).filter { !$0.valid }
            #expect(failures.isEmpty, "\(failures.prefix(3).map { "\($0.label): \($0.errors)" })")
        }
    }

    @Test("limit bounds the negative ratings listed, on generate and on /fetch, and hostile reasons come back as sent")
    func feedbackLimit() async throws {
        let events = Self.events()
        let oracle = BotReportOracle(events: events)
        try await withLiveServer(today: { Self.today }, events: events) { server in
            for (path, body) in [("api/v1/platform/report/\(BotReport.negativeFeedback.id)/generate?userId=tenant-1", #"{"botId":"bot-2","periodDays":30,"limit":2}"#),
                                 ("api/v1/report/\(BotReport.negativeFeedback.id)/fetch", #"{"userId":"tenant-1","botId":"bot-2","periodDays":30,"endDate":"2026-03-15","limit":2}"#)] {
                let reply = try await send(server, "POST", path, key: server.platformKey, body: body)
                try #require(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
                let expected = try #require(oracle.expected(reportId: BotReport.negativeFeedback.id, tenant: "tenant-1", botId: "bot-2", periodDays: 30, end: Self.today, limit: 2))
                let answer = try reply.object()
                #expect(BotReportOracle.canonical(answer) == BotReportOracle.canonical(expected), "\(path)")
                #expect((answer["items"] as? [Any])?.count == 2)
            }
            let all = try await send(server, "POST", "api/v1/platform/report/\(BotReport.negativeFeedback.id)/generate?userId=tenant-1",
                                     key: server.platformKey, body: #"{"botId":"bot-1","periodDays":40,"limit":50}"#).object()
            let reasons = Set(((all["items"] as? [[String: Any]]) ?? []).compactMap { $0["reason"] as? String })
            #expect(reasons.contains("<script>alert(1)</script>") && reasons.contains("line one\r\nBcc: x@y"), "\(reasons)")
        }
    }

    @Test("the list carries every per-bot report with ChatBotKit as their source and its schemas")
    func listed() async throws {
        try await withLiveServer { server in
            let items = try #require(try await send(server, "GET", "api/v1/platform/report/list?take=100", key: server.tenantKey).object()["items"] as? [[String: Any]])
            for report in BotReport.allCases {
                let item = try #require(items.first { $0["id"] as? String == report.id }, "\(report.name) is listed")
                #expect(item["name"] as? String == report.name)
                #expect(item["source"] as? String == "chatbotkit")
                #expect(item["input"] is [String: Any] && item["output"] is [String: Any])
            }
        }
    }

    @Test("bad inputs are refused with 400 and a stable code", arguments: [
        (#"{}"#, "generate", "missing_parameter", "botId"),
        (#"{"botId":""}"#, "generate", "invalid_parameter", "botId"),
        (#"{"botId":7}"#, "generate", "invalid_parameter", "botId"),
        (#"{"botId":"b\r\nX-Injected: 1"}"#, "generate", "invalid_parameter", "control characters"),
        (#"{"botId":"b","channel":"web"}"#, "generate", "invalid_parameter", "'channel'"),
        (#"{"botId":"b","periodDays":0}"#, "generate", "invalid_parameter", "periodDays"),
        (#"{"userId":"t1"}"#, "fetch", "missing_parameter", "botId"),
        (#"{"userId":"t1","channel":"web"}"#, "fetch", "invalid_parameter", "botId, not channel"),
        (#"{"userId":"t1","botId":"b","groupBy":"channel"}"#, "fetch", "invalid_parameter", "groupBy"),
        (#"{"userId":"t1","botId":"b","limit":5}"#, "fetch-stats", "invalid_parameter", "'limit'"),
        (#"{"botId":"b","limit":0}"#, "generate-feedback", "invalid_parameter", "limit must be an integer from 1 to 50"),
        (#"{"botId":"b","limit":51}"#, "generate-feedback", "invalid_parameter", "limit"),
        (#"{"botId":"b","limit":"5"}"#, "generate-feedback", "invalid_parameter", "limit"),
        (#"{"botId":"b","limit":2.5}"#, "generate-feedback", "invalid_parameter", "limit"),
        (#"{"userId":"t1","botId":"b","limit":-1}"#, "fetch-feedback", "invalid_parameter", "limit"),
    ])
    func badInputs(body: String, route: String, code: String, mentions: String) async throws {
        try await withLiveServer { server in
            let path = switch route {
            case "generate": "api/v1/platform/report/\(BotReport.stats.id)/generate"
            case "generate-feedback": "api/v1/platform/report/\(BotReport.negativeFeedback.id)/generate"
            case "fetch-stats": "api/v1/report/\(BotReport.stats.id)/fetch"
            case "fetch-feedback": "api/v1/report/\(BotReport.negativeFeedback.id)/fetch"
            default: "api/v1/report/\(BotReport.performance.id)/fetch"
            }
            let reply = try await send(server, "POST", path, key: server.tenantKey, body: body)
            try expectError(reply, 400, code: code, mentions: mentions)
        }
    }
}
