import Foundation
import Testing
import TallyDomain
import TallyHTTP

/// A fetch body the API must refuse with 400, the code it must give and the parameter it must name.
struct BadFetch: Sendable, CustomTestStringConvertible {
    var body: String
    var code: String
    var mentions: String
    var testDescription: String { body.count > 40 ? String(body.prefix(40)) + "…" : body }
}

@Suite("Report API over HTTP")
struct ReportAPITests {
    @Test("lists every report: ChatBotKit's 13 basic ones, its per-bot and tenant-wide ones and Tally's own")
    func list() async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "api/v1/platform/report/list", key: server.tenantKey)
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let items = try #require(try reply.object()["items"] as? [[String: Any]])
            #expect(items.count == ReportCatalog.all.count + BotReport.allCases.count + TenantReport.allCases.count + 1)
            #expect(items.compactMap { $0["id"] as? String } == (ReportCatalog.all.map(\.id) + BotReport.allCases.map(\.id) + TenantReport.allCases.map(\.id) + [ConversationUsageReport.id]).sorted())
            let names = items.compactMap { $0["name"] as? String }
            #expect(names.contains("Total Ratings Report"))
            #expect(names.contains("Average Messages per Conversation"))
            for item in items {
                for field in ["id", "name", "description", "createdAt", "updatedAt"] {
                    #expect((item[field] as? String)?.isEmpty == false, "item lacks \(field)")
                }
            }
        }
    }

    @Test("fetches a report's value, change, period and a 30-day breakdown by default")
    func fetchKnownValues() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.platformKey,
                                        body: #"{"userId":"t1","endDate":"2026-03-15"}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object["value"] as? Int == 3)
            #expect(object["change"] as? Int == 2)
            #expect(object["period"] as? String == "last 30 days")
            let breakdown = try #require(object["breakdown"] as? [[String: Any]])
            #expect(breakdown.count == 30)
            #expect(breakdown.first?["date"] as? String == "2026-02-14")
            #expect(breakdown.last?["date"] as? String == "2026-03-15")
            let byDate = Dictionary(uniqueKeysWithValues: breakdown.map { ($0["date"] as? String ?? "", $0["total"] as? Int ?? -1) })
            #expect(byDate["2026-03-15"] == 2)
            #expect(byDate["2026-03-10"] == 1)
            #expect(byDate.values.reduce(0, +) == 3)
            #expect(breakdown.allSatisfy { Set($0.keys) == ["date", "total"] })
            #expect(Set(object.keys) == ["value", "change", "period", "breakdown"])
        }
    }

    @Test("an unknown property is refused with a message that names it and lists the known ones")
    func unknownPropertyMessage() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.tenantKey, body: #"{"periodDay":7}"#)
            try expectError(reply, 400, code: "invalid_parameter", mentions: "unknown parameter 'periodDay'; known parameters: userId, periodDays, endDate, botId, channel, groupBy")
        }
    }

    @Test("fetches an average as a decimal number")
    func fetchAverage() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Average Messages per Conversation", key: server.tenantKey,
                                        body: #"{"periodDays":1,"endDate":"2026-03-15"}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object["value"] as? Double == 1.67)
            #expect(object["period"] as? String == "last 1 day")
            #expect((object["breakdown"] as? [[String: Any]])?.first?["total"] as? Double == 1.67)
        }
    }

    @Test("a tenant key reads its own tenant whether it omits userId or names it")
    func tenantKeyOwnTenant() async throws {
        try await withLiveServer { server in
            for body in [#"{"endDate":"2026-03-15"}"#, #"{"userId":"t1","endDate":"2026-03-15"}"#, #"{"userId":null,"endDate":"2026-03-15"}"#] {
                let reply = try await fetch(server, "Thumbs Up Report", key: server.tenantKey, body: body)
                #expect(reply.status == 200, "\(body)")
                #expect(try reply.object()["value"] as? Int == 2, "\(body)")
            }
            let other = try await fetch(server, "Thumbs Up Report", key: server.platformKey, body: #"{"userId":"t2","endDate":"2026-03-15"}"#)
            #expect(try other.object()["value"] as? Int == 1)
        }
    }

    @Test("a tenant key asking for another userId is forbidden")
    func tenantKeyOtherTenant() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Thumbs Up Report", key: server.tenantKey, body: #"{"userId":"t2"}"#)
            try expectError(reply, 403, code: "forbidden_tenant", mentions: "t1")
        }
    }

    @Test("an empty body takes every default: 30 days ending today")
    func emptyBody() async throws {
        try await withLiveServer { server in
            let before = TallyApplication.utcToday()
            let reply = try await fetch(server, "Total Ratings Report", key: server.tenantKey)
            let after = TallyApplication.utcToday()
            #expect(reply.status == 200)
            let breakdown = try #require(try reply.object()["breakdown"] as? [[String: Any]])
            #expect(breakdown.count == 30)
            #expect([before.iso, after.iso].contains(breakdown.last?["date"] as? String ?? ""))
        }
    }

    @Test("rejects bad fetch parameters with 400, naming the parameter", arguments: [
        BadFetch(body: "{nope", code: "invalid_json", mentions: "JSON"),
        BadFetch(body: "[1,2]", code: "invalid_json", mentions: "object"),
        BadFetch(body: "42", code: "invalid_json", mentions: "object"),
        BadFetch(body: #"{"periodDays":0}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":366}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":-1}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":"30"}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":1.5}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":true}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":99999999999999999999}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"endDate":"2025-02-30"}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"endDate":"tomorrow"}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"endDate":20250101}"#, code: "invalid_parameter", mentions: "endDate"),
        // A period reaching back before year 0 would have days that YYYY-MM-DD cannot write.
        BadFetch(body: #"{"endDate":"0000-01-01","periodDays":2}"#, code: "invalid_parameter", mentions: "before 0000-01-01"),
        BadFetch(body: #"{"userId":""}"#, code: "invalid_parameter", mentions: "userId"),
        BadFetch(body: #"{"userId":7}"#, code: "invalid_parameter", mentions: "userId"),
        BadFetch(body: "{\"userId\":\"\(String(repeating: "u", count: 129))\"}", code: "invalid_parameter", mentions: "userId"),
        // Unknown properties are refused, not ignored: a typo must not answer as if defaulted.
        BadFetch(body: #"{"periodDay":7}"#, code: "invalid_parameter", mentions: "'periodDay'"),
        BadFetch(body: #"{"userId":"t1","bot":"b1"}"#, code: "invalid_parameter", mentions: "'bot'"),
        BadFetch(body: #"{"botId":"b1","channel":"web"}"#, code: "invalid_parameter", mentions: "cannot be combined"),
        BadFetch(body: #"{"groupBy":"botId","channel":"web"}"#, code: "invalid_parameter", mentions: "groupBy cannot be combined with channel"),
        BadFetch(body: #"{"groupBy":"contactId"}"#, code: "invalid_parameter", mentions: "groupBy must be one of 'botId', 'channel'"),
        BadFetch(body: #"{"groupBy":["botId"]}"#, code: "invalid_parameter", mentions: "groupBy"),
        BadFetch(body: #"{"botId":""}"#, code: "invalid_parameter", mentions: "botId"),
        BadFetch(body: #"{"channel":3}"#, code: "invalid_parameter", mentions: "channel"),
        BadFetch(body: "{\"botId\":\"\(String(repeating: "b", count: 129))\"}", code: "invalid_parameter", mentions: "botId"),
        BadFetch(body: #"{"botId":"b\u001fchannel\u001fweb"}"#, code: "invalid_parameter", mentions: "control characters"),
        BadFetch(body: #"{"userId":"t1\r\nX-Injected: 1"}"#, code: "invalid_parameter", mentions: "control characters"),
        BadFetch(body: #"{"enddate":"2026-03-15"}"#, code: "invalid_parameter", mentions: "'enddate'"),
    ])
    func badRequest(_ bad: BadFetch) async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.tenantKey, body: bad.body)
            try expectError(reply, 400, code: bad.code, mentions: bad.mentions)
        }
    }

    @Test("a platform key must name the userId")
    func platformKeyWithoutUserId() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.platformKey, body: #"{"periodDays":7}"#)
            try expectError(reply, 400, code: "missing_parameter", mentions: "userId")
        }
    }

    @Test("refuses requests without a valid, active key")
    func unauthorized() async throws {
        try await withLiveServer { server in
            let list = "api/v1/platform/report/list"
            try expectError(try await send(server, "GET", list), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, authorization: "Basic \(server.platformKey)"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, authorization: "Bearer"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: "tly_not_a_real_key"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: server.revokedKey), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: String(repeating: "k", count: 300)), 401, code: "unauthorized")
            try expectError(try await fetch(server, "Total Ratings Report", key: server.revokedKey, body: #"{"userId":"t1"}"#),
                            401, code: "unauthorized")
            // The scheme is case-insensitive, so a valid key still works in lower case.
            #expect(try await send(server, "GET", list, authorization: "bearer \(server.platformKey)").status == 200)
        }
    }

    @Test("unknown reports and routes are 404 with a JSON body")
    func notFound() async throws {
        try await withLiveServer { server in
            let unknown = try await send(server, "POST", "api/v1/report/no-such-report/fetch", key: server.platformKey, body: "{}")
            try expectError(unknown, 404, code: "report_not_found", mentions: "no-such-report")
            try expectError(try await send(server, "GET", "nope"), 404, code: "not_found")
            try expectError(try await send(server, "GET", "api/v2/platform/report/list", key: server.platformKey), 404, code: "not_found")
            try expectError(try await send(server, "GET", "api/v1/nothing/here", key: server.platformKey), 404, code: "not_found")
        }
    }

    @Test("a body over 64 KiB is 413, one of exactly 64 KiB is accepted")
    func bodyLimit() async throws {
        try await withLiveServer { server in
            let id = ReportCatalog.all[0].id
            let json = Data(#"{"userId":"t1","endDate":"2026-03-15"}"#.utf8)
            let exact = json + Data(repeating: UInt8(ascii: " "), count: 64 * 1024 - json.count)
            let ok = try await send(server, "POST", "api/v1/report/\(id)/fetch", key: server.platformKey, bytes: exact)
            #expect(ok.status == 200)
            #expect(try ok.object()["value"] as? Int == 3)
            let over = try await send(server, "POST", "api/v1/report/\(id)/fetch", key: server.platformKey, bytes: exact + Data(" ".utf8))
            try expectError(over, 413, code: "payload_too_large")
        }
    }

    @Test("/healthz answers without a key")
    func health() async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "healthz")
            #expect(reply.status == 200)
            #expect(try reply.object()["status"] as? String == "ok")
        }
    }

    @Test("wrong methods get a JSON error, never a 500")
    func wrongMethods() async throws {
        try await withLiveServer { server in
            let id = ReportCatalog.all[0].id
            for (method, path) in [("GET", "api/v1/report/\(id)/fetch"), ("POST", "api/v1/platform/report/list"), ("DELETE", "healthz")] {
                let reply = try await send(server, method, path, key: server.platformKey, body: method == "GET" ? nil : "{}")
                #expect([404, 405].contains(reply.status), "\(method) \(path): \(reply.status)")
                #expect(try reply.object()["code"] is String)
                #expect(try reply.object()["message"] is String)
            }
        }
    }
}
