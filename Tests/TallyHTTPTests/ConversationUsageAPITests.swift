import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyHTTP
import TallyTestSupport

/// ChatBotKit's Conversation Usage Report over a real socket: every answer, single, batch and on
/// `/fetch`, passes ChatBotKit's output schema (judged by Python's jsonschema) and equals the
/// oracle's computation over raw events; inputs are accepted exactly when the schema accepts them
/// (and Tally's identifier rule holds); hostile conversation ids come back unchanged.
@Suite("Conversation Usage over HTTP")
struct ConversationUsageAPITests {
    static let today = Day(iso: "2026-03-15")!
    static let id = ConversationUsageReport.id

    /// Conversation ids that would be markup or a spreadsheet formula if pasted unescaped.
    static let hostileIds = ["<script>alert(\"x\")</script>", "=1+1"]

    /// Generated traffic over 100 days, with tokens on its messages; tenant-1's last two
    /// conversations with a message take the hostile ids.
    static func events() -> [Event] {
        let generated = Array(TrafficGenerator(seed: 93, tenants: 2, days: 100, endDay: today, total: 3_000))
        var renamed: [String: String] = [:]
        for event in generated.reversed() where event.userId == "tenant-1" && renamed.count < hostileIds.count {
            guard case .messageCreated = event.kind, let id = event.conversationId, renamed[id] == nil else { continue }
            renamed[id] = hostileIds[renamed.count]
        }
        return generated.map { event in
            var event = event
            if let id = event.conversationId, let hostile = renamed[id] { event.conversationId = hostile }
            return event
        }
    }

    /// Tenant-1's conversation ids (the hostile ones first), another tenant's, an unknown one and a repeat.
    static func requested(_ events: [Event], count: Int) -> [String] {
        var known: [String] = []
        for event in events where event.userId == "tenant-1" {
            if let id = event.conversationId, !known.contains(id) { known.append(id) }
        }
        let other = events.first { $0.userId == "tenant-2" && $0.conversationId != nil }!.conversationId!
        let base = hostileIds + [other, "never-seen", hostileIds[0]] + known.suffix(count)
        return Array(base.prefix(count))
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("single, batch and /fetch answers pass ChatBotKit's schema and equal the oracle")
    func answersConformAndMatch() async throws {
        let events = Self.events()
        let oracle = ConversationUsageOracle(events: events)
        try await withLiveServer(today: { Self.today }, events: events) { server in
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            var checks: [SchemaCheck] = []
            var counted: Int = 0
            for periodDays in [nil, 1, 7, 30, 90] as [Int?] {
                for count in [1, 6, 100] {
                    let ids = Self.requested(events, count: count)
                    var input: [String: Any] = ["conversationIds": ids]
                    if let periodDays { input["periodDays"] = periodDays }
                    let expected = oracle.expected(tenant: "tenant-1", conversationIds: ids, periodDays: periodDays ?? 90, end: Self.today)
                    counted += expected["totalMessages"] as! Int
                    let label = "\(periodDays.map { "\($0)d" } ?? "default") \(count) ids"

                    let single = try await send(server, "POST", "api/v1/platform/report/\(Self.id)/generate?userId=tenant-1",
                                                key: server.platformKey, body: try Self.json(input), session: session)
                    try #require(single.status == 200, "\(label): \(String(decoding: single.body, as: UTF8.self))")
                    #expect(BotReportOracle.canonical(try single.object()) == BotReportOracle.canonical(expected), "\(label)")
                    checks.append(SchemaCheck(label: label, schemaFile: SchemaValidator.chatBotKitSchemas,
                                              schemaPointer: "/reports/\(Self.id)/output", instance: single.body))

                    var fetchBody = input
                    fetchBody["userId"] = "tenant-1"
                    fetchBody["endDate"] = Self.today.iso
                    let fetched = try await send(server, "POST", "api/v1/report/\(Self.id)/fetch", key: server.platformKey,
                                                 body: try Self.json(fetchBody), session: session)
                    try #require(fetched.status == 200, "/fetch \(label): \(String(decoding: fetched.body, as: UTF8.self))")
                    #expect(BotReportOracle.canonical(try fetched.object()) == BotReportOracle.canonical(expected), "/fetch \(label)")

                    let batch: [String: Any] = [Self.id: input, TenantReport.alerts.id: [String: Any](), "no-such-report": [String: Any]()]
                    let reply = try await send(server, "POST", "api/v1/platform/report/generate?userId=tenant-1", key: server.platformKey,
                                               body: try Self.json(batch), session: session)
                    try #require(reply.status == 200)
                    let answers = try reply.object()
                    #expect(BotReportOracle.canonical(try #require(answers[Self.id] as? [String: Any])) == BotReportOracle.canonical(expected),
                            "batch \(label)")
                    #expect(((answers["no-such-report"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "report_not_found")
                    checks.append(SchemaCheck(label: "batch \(label)", schemaFile: SchemaValidator.chatBotKitSchemas,
                                              schemaPointer: "/reports/\(Self.id)/output", instance: reply.body, instancePointer: "/" + Self.id))
                }
            }
            #expect(counted > 0, "the windows count messages")
            let failures = try SchemaValidator.judge(checks).filter { !$0.valid }
            #expect(failures.isEmpty, "\(failures.prefix(3).map { "\($0.label): \($0.errors)" })")
        }
    }

    @Test("hostile conversation ids come back exactly as sent, JSON-escaped, with their usage")
    func hostileIdsRoundTrip() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            let body = try Self.json(["conversationIds": Self.hostileIds])
            let reply = try await send(server, "POST", "api/v1/platform/report/\(Self.id)/generate?userId=tenant-1", key: server.platformKey, body: body)
            try #require(reply.status == 200)
            let items = try #require(try reply.object()["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["conversationId"] as? String } == Self.hostileIds)
            #expect(items.allSatisfy { ($0["messages"] as? Int ?? 0) > 0 })
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(text.contains(#"<script>alert(\"x\")<\/script>"#) || text.contains(#"<script>alert(\"x\")</script>"#), "\(text)")
            #expect(text.contains(#""=1+1""#))
        }
    }

    @Test("the list carries it with ChatBotKit as its source and its schemas")
    func listed() async throws {
        try await withLiveServer { server in
            let items = try #require(try await send(server, "GET", "api/v1/platform/report/list?take=100", key: server.tenantKey).object()["items"] as? [[String: Any]])
            let item = try #require(items.first { $0["id"] as? String == Self.id })
            #expect(item["name"] as? String == "Conversation Usage Report")
            #expect(item["source"] as? String == "chatbotkit")
            #expect(item["input"] is [String: Any] && item["output"] is [String: Any])
        }
    }

    static let inputs = [
        "{}", #"{"conversationIds":["c"]}"#, #"{"conversationIds":[]}"#, #"{"conversationIds":"c"}"#, #"{"conversationIds":[1]}"#,
        #"{"conversationIds":["c",null]}"#, #"{"conversationIds":null}"#, #"{"conversationIds":["c","c"]}"#,
        #"{"conversationIds":["c"],"periodDays":90}"#, #"{"conversationIds":["c"],"periodDays":91}"#, #"{"conversationIds":["c"],"periodDays":0}"#,
        #"{"conversationIds":["c"],"periodDays":7.0}"#, #"{"conversationIds":["c"],"periodDays":"7"}"#, #"{"conversationIds":["c"],"periodDays":2.5}"#,
        #"{"conversationIds":["c"],"userId":"tenant-1"}"#, #"{"conversationIds":["c"],"botId":"b"}"#, #"{"conversationId":["c"]}"#,
        try! json(["conversationIds": (0..<100).map { "c\($0)" }]), try! json(["conversationIds": (0..<101).map { "c\($0)" }]),
    ]

    @Test("Tally accepts exactly the inputs jsonschema accepts")
    func inputsAgreeWithSchema() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            var cases: [(label: String, accepted: Bool)] = []
            var checks: [SchemaCheck] = []
            for input in Self.inputs {
                let reply = try await send(server, "POST", "api/v1/platform/report/\(Self.id)/generate?userId=tenant-1", key: server.platformKey, body: input)
                #expect([200, 400].contains(reply.status), "\(input.prefix(80)): \(reply.status)")
                cases.append((String(input.prefix(80)), reply.status == 200))
                checks.append(SchemaCheck(label: String(input.prefix(80)), schemaFile: SchemaValidator.chatBotKitSchemas,
                                          schemaPointer: "/reports/\(Self.id)/input", instance: Data(input.utf8)))
            }
            for (verdict, judged) in zip(cases, try SchemaValidator.judge(checks)) {
                #expect(judged.valid == verdict.accepted, "\(verdict.label): schema \(judged.valid) \(judged.errors), Tally \(verdict.accepted)")
            }
        }
    }

    @Test("bad inputs are refused with 400, a stable code and the property named", arguments: [
        ("generate", "{}", "missing_parameter", "conversationIds is required"),
        ("generate", #"{"conversationIds":[]}"#, "invalid_parameter", "conversationIds must be an array of 1 to 100"),
        ("generate", try! json(["conversationIds": (0..<101).map { "c\($0)" }]), "invalid_parameter", "conversationIds must be an array of 1 to 100"),
        ("generate", #"{"conversationIds":["a",7]}"#, "invalid_parameter", "conversationIds[1]"),
        ("generate", #"{"conversationIds":[""]}"#, "invalid_parameter", "conversationIds[0]"),
        ("generate", #"{"conversationIds":["a\u0001"]}"#, "invalid_parameter", "conversationIds[0]"),
        ("generate", try! json(["conversationIds": [String(repeating: "x", count: 129)]]), "invalid_parameter", "conversationIds[0]"),
        ("generate", #"{"conversationIds":["a"],"periodDays":91}"#, "invalid_parameter", "periodDays"),
        ("generate", #"{"conversationIds":["a"],"periodDays":0}"#, "invalid_parameter", "periodDays"),
        ("generate", #"{"conversationIds":["a"],"extra":1}"#, "invalid_parameter", "'extra'"),
        ("generate", #"{"conversationIds":["a"],"userId":"t1"}"#, "invalid_parameter", "'userId'"),
        ("fetch", #"{"userId":"t1"}"#, "missing_parameter", "conversationIds"),
        ("fetch", #"{"userId":"t1","conversationIds":["a"],"periodDays":120}"#, "invalid_parameter", "periodDays"),
        ("fetch", #"{"userId":"t1","conversationIds":["a"],"botId":"b"}"#, "invalid_parameter", "botId does not apply"),
        ("fetch", #"{"userId":"t1","conversationIds":["a"],"channel":"web"}"#, "invalid_parameter", "channel does not apply"),
        ("fetch", #"{"userId":"t1","conversationIds":["a"],"groupBy":"botId"}"#, "invalid_parameter", "groupBy"),
        ("fetch", #"{"userId":"t1","conversationIds":["a"],"topBotsLimit":2}"#, "invalid_parameter", "'topBotsLimit'"),
    ])
    func badInputs(route: String, body: String, code: String, mentions: String) async throws {
        try await withLiveServer { server in
            let path = route == "fetch" ? "api/v1/report/\(Self.id)/fetch" : "api/v1/platform/report/\(Self.id)/generate"
            try expectError(try await send(server, "POST", path, key: server.tenantKey, body: body), 400, code: code, mentions: mentions)
        }
    }
}
