import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyTestSupport

/// Per-section options over HTTP: `{"type": "top_conversations", "limit": 25}` in a generate body
/// and in a template, carried to the document; a limit where none applies is a 400.
@Suite("Section limits over HTTP")
struct SectionLimitAPITests {
    /// 60 conversations of t1 in March 2026 with 1 to 60 messages, some bots hostile.
    static func events() -> [Event] {
        var events: [Event] = []
        let hostile = ["<script>alert(1)</script>", "=HYPERLINK(\"x\")", "a,\"b\"\r\nc"]
        for index in 0..<60 {
            let base = Int64(Day(iso: "2026-03-01")!.advanced(by: index % 14).number) * 86_400_000 + 3_600_000
            let bot = index % 4 == 0 ? hostile[index % 3] : "bot-\(index % 3)"
            func event(_ kind: Event.Kind, _ offset: Int64) -> Event {
                Event(id: "limit-\(events.count)", kind: kind, userId: "t1", occurredAtMillis: base + offset, conversationId: "conv-\(index)",
                      contactId: "contact-\(index % 7)", botId: bot, channel: "web")
            }
            events.append(event(.conversationCreated, 0))
            for message in 0..<(1 + (index * 7) % 60) {
                events.append(event(.messageCreated(message % 2 == 0 ? .user : .bot), Int64(1_000 * (message + 1))))
            }
            if index % 3 == 0 { events.append(event(.ratingCreated(value: index % 2 == 0 ? 10 : -10), 120_000)) }
        }
        return events
    }

    static let period = #""start_date":"2026-03-01","end_date":"2026-03-15","user_id":"t1""#

    /// The rows of the JSON document's table `table` of section `section`.
    static func rows(_ server: ReportServer, _ id: String, section: String, table: String) async throws -> [[Any]] {
        let download = try await exchange(server, "GET", "api/v1/reports/\(id)/download", key: server.admin)
        let document = try #require(try JSONSerialization.jsonObject(with: download.body) as? [String: Any])
        let found = try #require((document["sections"] as? [[String: Any]])?.first { $0["name"] as? String == section })
        let block = try #require((found["blocks"] as? [[String: Any]])?.first { $0["name"] as? String == table })
        return try #require(block["rows"] as? [[Any]])
    }

    /// A template's `sections` as `type` or `type:limit` strings, whatever numbers JSON decoding gave.
    static func sections(_ object: [String: Any]) -> [String] {
        ((object["sections"] as? [[String: Any]]) ?? []).map { item in
            "\(item["type"] as? String ?? "?")" + ((item["limit"] as? Int).map { ":\($0)" } ?? "")
        }
    }

    static func expectedIds(limit: Int) -> [String] {
        TopConversationsOracle(events: events()).expected(tenant: "t1", start: Day(iso: "2026-03-01")!, end: Day(iso: "2026-03-15")!, limit: limit).map(\.id)
    }

    @Test("generate with a limit: the document lists that many, the metadata keeps it, and hostile bot ids stay text")
    func generateWithLimit() async throws {
        try await withReportServer(events: Self.events()) { server in
            let id = try await generateReport(server, key: server.tenantKeys[.reportCreator]!, #"""
                {"type":"custom","sections":[{"type":"top_conversations","limit":25},"satisfaction_scores",{"type":"bot_breakdown","limit":2}],\#(Self.period)}
                """#)
            #expect(try await awaitReport(server, id)["state"] as? String == "completed")
            let rows = try await Self.rows(server, id, section: "top_conversations", table: "conversations")
            #expect(rows.count == 25)
            #expect(rows.compactMap { $0.first as? String } == Self.expectedIds(limit: 25))
            #expect(rows.contains { ($0[1] as? String) == "<script>alert(1)</script>" })
            #expect(try await Self.rows(server, id, section: "bot_breakdown", table: "bots").count == 2)

            let metadata = try await exchange(server, "GET", "api/v1/reports/\(id)", key: server.admin).object()
            #expect(metadata["sections"] as? [String] == ["top_conversations", "satisfaction_scores", "bot_breakdown"])
            #expect(metadata["section_limits"] as? [String: Int] == ["top_conversations": 25, "bot_breakdown": 2])

            // Without a limit the section lists its default 10; the conversations type now builds it.
            let plain = try await generateReport(server, key: server.admin, #"{"type":"conversations",\#(Self.period)}"#)
            #expect(try await awaitReport(server, plain)["state"] as? String == "completed")
            #expect(try await Self.rows(server, plain, section: "top_conversations", table: "conversations").compactMap { $0.first as? String }
                    == Self.expectedIds(limit: 10))
            #expect(try await exchange(server, "GET", "api/v1/reports/\(plain)", key: server.admin).object()["section_limits"] as? [String: Int] == [:])
        }
    }

    @Test("a limit on a section without one, or out of 1…100, is 400 invalid_parameter")
    func invalidLimits() async throws {
        try await withReportServer(events: Self.events()) { server in
            func post(_ sections: String) async throws -> Reply {
                let raw = try await exchange(server, "POST", "api/v1/reports/generate", key: server.admin,
                                             body: #"{"type":"custom","sections":\#(sections),\#(Self.period)}"#)
                return Reply(status: raw.status, contentType: raw.header("Content-Type"), body: raw.body)
            }
            try expectError(try await post(#"[{"type":"usage_summary","limit":5}]"#), 400, code: "invalid_parameter",
                            mentions: "top_conversations, satisfaction_scores, bot_breakdown, channel_breakdown")
            for bad in ["0", "101", "\"5\"", "2.5", "-1"] {
                try expectError(try await post(#"[{"type":"top_conversations","limit":\#(bad)}]"#), 400, code: "invalid_parameter", mentions: "1 to 100")
            }
            try expectError(try await post(#"[{"type":"top_conversations","limt":5}]"#), 400, code: "invalid_parameter", mentions: "limt")
            let template = try await exchange(server, "POST", "api/v1/reports/templates", key: server.admin,
                                              body: #"{"name":"n","type":"custom","sections":[{"type":"message_mix","limit":3}],"user_id":"t1"}"#)
            #expect(template.status == 400)
        }
    }

    @Test("a template keeps its sections' limits through create, get, replace and generate")
    func templateRoundTrip() async throws {
        try await withReportServer(events: Self.events()) { server in
            let admin = server.tenantKeys[.reportAdmin]!
            let created = try await exchange(server, "POST", "api/v1/reports/templates", key: admin, body: #"""
                {"name":"Top","type":"custom","sections":[{"type":"top_conversations","limit":5},"conversation_depth"],"period_days":15}
                """#)
            #expect(created.status == 201)
            let body = try created.object()
            let id = try #require(body["template_id"] as? String)
            #expect(Self.sections(body) == ["top_conversations:5", "conversation_depth"])
            let read = try await exchange(server, "GET", "api/v1/reports/templates/\(id)", key: server.tenantKeys[.reportViewer]!).object()
            #expect(Self.sections(read) == ["top_conversations:5", "conversation_depth"])

            let replaced = try await exchange(server, "PUT", "api/v1/reports/templates/\(id)", key: admin, body: #"""
                {"name":"Top","type":"custom","sections":["conversation_depth",{"type":"top_conversations","limit":7}]}
                """#).object()
            #expect(replaced["version"] as? Int == 2)
            #expect(Self.sections(replaced) == ["conversation_depth", "top_conversations:7"])

            let report = try await generateReport(server, key: server.tenantKeys[.reportCreator]!,
                                                  #"{"template_id":"\#(id)","start_date":"2026-03-01","end_date":"2026-03-15"}"#)
            #expect(try await awaitReport(server, report)["state"] as? String == "completed")
            let metadata = try await exchange(server, "GET", "api/v1/reports/\(report)", key: server.admin).object()
            #expect(metadata["template_version"] as? Int == 2)
            #expect(metadata["section_limits"] as? [String: Int] == ["top_conversations": 7])
            #expect(try await Self.rows(server, report, section: "top_conversations", table: "conversations").compactMap { $0.first as? String }
                    == Self.expectedIds(limit: 7))

            // A request's own sections replace the template's, limits and all.
            let own = try await generateReport(server, key: server.tenantKeys[.reportCreator]!,
                                               #"{"template_id":"\#(id)","sections":["top_conversations"],"start_date":"2026-03-01","end_date":"2026-03-15"}"#)
            #expect(try await awaitReport(server, own)["state"] as? String == "completed")
            #expect(try await Self.rows(server, own, section: "top_conversations", table: "conversations").count == 10)
        }
    }
}
