import Foundation
import Testing
import TallyDomain
import TallyHTTP

/// The day the seeded figures are read on: the generate routes have no `endDate`, periods end today.
let seedToday = Day(iso: "2026-03-15")!

/// The catalog id of the report called `name`.
func reportId(_ name: String) throws -> String {
    try #require(ReportCatalog.all.first { $0.name == name }?.id)
}

/// POSTs ChatBotKit's generate of the report called `name`; `query` is appended as written.
func generate(_ server: LiveServer, _ name: String, key: String, query: String = "", body: String? = "{}") async throws -> Reply {
    try await send(server, "POST", "api/v1/platform/report/\(try reportId(name))/generate\(query)", key: key, body: body)
}

/// POSTs ChatBotKit's batch generate.
func generateBatch(_ server: LiveServer, key: String, query: String = "", body: String) async throws -> Reply {
    try await send(server, "POST", "api/v1/platform/report/generate\(query)", key: key, body: body)
}

@Suite("ChatBotKit's generate routes over HTTP")
struct GenerateAPITests {
    @Test("a counted report answers value, change, period and the daily breakdown of the period ending today")
    func countedReport() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let reply = try await generate(server, "Total Ratings Report", key: server.platformKey, query: "?userId=t1")
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let object = try reply.object()
            #expect(Set(object.keys) == ["value", "change", "period", "breakdown"])
            #expect(object["value"] as? Int == 3)
            #expect(object["change"] as? Int == 2)
            #expect(object["period"] as? String == "last 30 days")
            let breakdown = try #require(object["breakdown"] as? [[String: Any]])
            #expect(breakdown.count == 30)
            #expect(breakdown.last?["date"] as? String == "2026-03-15")
            #expect(breakdown.allSatisfy { Set($0.keys) == ["date", "total"] })

            let week = try await generate(server, "Thumbs Down Report", key: server.tenantKey, body: #"{"periodDays":7}"#)
            #expect(try week.object()["value"] as? Int == 1)
            #expect(try week.object()["period"] as? String == "last 7 days")
        }
    }

    @Test("an average answers only value and period")
    func average() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let reply = try await generate(server, "Average Bot Messages per Conversation", key: server.tenantKey, body: #"{"periodDays":1}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(Set(object.keys) == ["value", "period"])
            #expect(object["value"] as? Double == 1)
            #expect(object["period"] as? String == "last 1 day")
            // Tally's own average answers in the same style.
            let own = try await generate(server, "Average Messages per Conversation", key: server.tenantKey, body: #"{"periodDays":1}"#)
            #expect(try own.object()["value"] as? Double == 1.67)
            #expect(Set(try own.object().keys) == ["value", "period"])
        }
    }

    @Test("Total Contacts is all-time, named by userId in the input, as ChatBotKit's schema requires")
    func totalContacts() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            for key in [server.platformKey, server.tenantKey] {
                let reply = try await generate(server, "Total Contacts Report", key: key, body: #"{"userId":"t1"}"#)
                #expect(reply.status == 200)
                let object = try reply.object()
                #expect(Set(object.keys) == ["value", "period"])
                #expect(object["value"] as? Int == 3)
                #expect(object["period"] as? String == "all time")
            }
            let missing = try await generate(server, "Total Contacts Report", key: server.tenantKey, body: "{}")
            try expectError(missing, 400, code: "missing_parameter", mentions: "userId")
            let other = try await generate(server, "Total Contacts Report", key: server.tenantKey, body: #"{"userId":"t2"}"#)
            try expectError(other, 403, code: "forbidden_tenant", mentions: "t1")
            let period = try await generate(server, "Total Contacts Report", key: server.tenantKey, body: #"{"userId":"t1","periodDays":7}"#)
            try expectError(period, 400, code: "invalid_parameter", mentions: "periodDays")
            let clash = try await generate(server, "Total Contacts Report", key: server.platformKey, query: "?userId=t2", body: #"{"userId":"t1"}"#)
            try expectError(clash, 400, code: "invalid_parameter", mentions: "different tenants")
            let named = try await generate(server, "Total Contacts Report", key: server.tenantKey, query: "?userId=t1", body: #"{"userId":"t2"}"#)
            try expectError(named, 403, code: "forbidden_tenant", mentions: "t1")
        }
    }

    @Test("tenant rules: a tenant key reads its own tenant; a platform key names one with ?userId=")
    func tenantRules() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let own = try await generate(server, "Thumbs Up Report", key: server.tenantKey)
            #expect(try own.object()["value"] as? Int == 2)
            let named = try await generate(server, "Thumbs Up Report", key: server.tenantKey, query: "?userId=t1")
            #expect(try named.object()["value"] as? Int == 2)
            let forbidden = try await generate(server, "Thumbs Up Report", key: server.tenantKey, query: "?userId=t2")
            try expectError(forbidden, 403, code: "forbidden_tenant", mentions: "t1")

            let platform = try await generate(server, "Thumbs Up Report", key: server.platformKey, query: "?userId=t2")
            #expect(try platform.object()["value"] as? Int == 1)
            let encoded = try await generate(server, "Thumbs Up Report", key: server.platformKey, query: "?userId=%74%31")
            #expect(try encoded.object()["value"] as? Int == 2)
            let unnamed = try await generate(server, "Thumbs Up Report", key: server.platformKey)
            try expectError(unnamed, 400, code: "missing_parameter", mentions: "?userId=")
            let tooLong = try await generate(server, "Thumbs Up Report", key: server.platformKey,
                                             query: "?userId=\(String(repeating: "u", count: 129))")
            try expectError(tooLong, 400, code: "invalid_parameter", mentions: "userId")
            try expectError(try await generate(server, "Thumbs Up Report", key: server.revokedKey, query: "?userId=t1"),
                            401, code: "unauthorized")
        }
    }

    @Test("refuses an input its schema refuses, with 400 naming the parameter", arguments: [
        BadFetch(body: #"{"periodDay":7}"#, code: "invalid_parameter", mentions: "periodDay"),
        BadFetch(body: #"{"endDate":"2026-03-15"}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"userId":"t1"}"#, code: "invalid_parameter", mentions: "?userId="),
        BadFetch(body: #"{"periodDays":0}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":-3}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":"7"}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":1.5}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":true}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":null}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":366}"#, code: "invalid_parameter", mentions: "at most 365"),
        BadFetch(body: #"{"periodDays":99999999999999999999}"#, code: "invalid_parameter", mentions: "at most 365"),
        BadFetch(body: "{nope", code: "invalid_json", mentions: "JSON"),
        BadFetch(body: "[1]", code: "invalid_json", mentions: "object"),
    ])
    func badInput(_ bad: BadFetch) async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let reply = try await generate(server, "Active Contacts Report", key: server.tenantKey, body: bad.body)
            try expectError(reply, 400, code: bad.code, mentions: bad.mentions)
        }
    }

    @Test("a userId with a control character is refused, in Total Contacts' input and in the query")
    func controlCharactersInUserId() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let input = try await generate(server, "Total Contacts Report", key: server.platformKey, body: #"{"userId":"t1\u001fbotId\u001fb1"}"#)
            try expectError(input, 400, code: "invalid_parameter", mentions: "control characters")
            let query = try await generate(server, "Active Contacts Report", key: server.platformKey, query: "?userId=t1%0D%0AX-Injected:%201")
            try expectError(query, 400, code: "invalid_parameter", mentions: "control characters")
        }
    }

    @Test("periodDays takes any integer from 1 to 365, a JSON number without a fraction too; an empty body is the default")
    func periodDaysBounds() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            for (body, period) in [(#"{"periodDays":1}"#, "last 1 day"), (#"{"periodDays":365}"#, "last 365 days"),
                                   (#"{"periodDays":7.0}"#, "last 7 days"), ("", "last 30 days"), ("{}", "last 30 days")] {
                let reply = try await generate(server, "Total Conversations Report", key: server.tenantKey, body: body)
                #expect(reply.status == 200, "\(body)")
                #expect(try reply.object()["period"] as? String == period, "\(body)")
            }
        }
    }

    @Test("an unknown report is 404 report_not_found")
    func unknownReport() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let reply = try await send(server, "POST", "api/v1/platform/report/no-such-report/generate", key: server.tenantKey, body: "{}")
            try expectError(reply, 404, code: "report_not_found", mentions: "no-such-report")
        }
    }

    @Test("a batch answers every member in its place: outputs, and errors for the members that fail")
    func batchWithFailingMembers() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let ratings = try reportId("Total Ratings Report"), contacts = try reportId("Total Contacts Report")
            let average = try reportId("Average User Messages per Conversation"), up = try reportId("Thumbs Up Report")
            let body = """
                {"\(ratings)": {}, "\(contacts)": {"userId": "t1"}, "\(average)": {"periodDays": 1},
                 "\(up)": {"periodDay": 7}, "no-such-report": {}, "\(try reportId("Bot Messages Report"))": 5}
                """
            let reply = try await generateBatch(server, key: server.platformKey, query: "?userId=t1", body: body)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object.count == 6)

            let single = try await generate(server, "Total Ratings Report", key: server.platformKey, query: "?userId=t1")
            #expect(NSDictionary(dictionary: try #require(object[ratings] as? [String: Any])).isEqual(to: try single.object()))
            #expect((object[contacts] as? [String: Any])?["value"] as? Int == 3)
            #expect((object[average] as? [String: Any])?["value"] as? Double == 1)

            func error(_ id: String) throws -> [String: Any] {
                let member = try #require(object[id] as? [String: Any], "member \(id)")
                #expect(Set(member.keys) == ["error"])
                let error = try #require(member["error"] as? [String: Any])
                #expect(Set(error.keys) == ["message", "code"])
                return error
            }
            #expect(try error(up)["code"] as? String == "invalid_parameter")
            #expect((try error(up)["message"] as? String)?.contains("periodDay") == true)
            #expect(try error("no-such-report")["code"] as? String == "report_not_found")
            #expect(try error(try reportId("Bot Messages Report"))["code"] as? String == "invalid_parameter")
        }
    }

    @Test("a batch's tenant rules: members fail on their own, a forbidden query fails the request")
    func batchTenants() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            let ratings = try reportId("Total Ratings Report"), contacts = try reportId("Total Contacts Report")
            let mixed = try await generateBatch(server, key: server.tenantKey, body: #"{"\#(ratings)": {}, "\#(contacts)": {"userId": "t2"}}"#)
            #expect(mixed.status == 200)
            #expect((try mixed.object()[ratings] as? [String: Any])?["value"] as? Int == 3)
            let refused = try #require((try mixed.object()[contacts] as? [String: Any])?["error"] as? [String: Any])
            #expect(refused["code"] as? String == "forbidden_tenant")

            // A platform key without ?userId=: only the member that names its tenant answers.
            let unnamed = try await generateBatch(server, key: server.platformKey, body: #"{"\#(ratings)": {}, "\#(contacts)": {"userId": "t1"}}"#)
            #expect(unnamed.status == 200)
            #expect(((try unnamed.object()[ratings] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String == "missing_parameter")
            #expect((try unnamed.object()[contacts] as? [String: Any])?["value"] as? Int == 3)

            let forbidden = try await generateBatch(server, key: server.tenantKey, query: "?userId=t2", body: #"{"\#(ratings)": {}}"#)
            try expectError(forbidden, 403, code: "forbidden_tenant", mentions: "t1")
        }
    }

    @Test("a batch body must be a JSON object of at most 50 members")
    func batchBody() async throws {
        try await withLiveServer(today: { seedToday }) { server in
            for body in ["[]", "42", "{nope"] {
                let reply = try await generateBatch(server, key: server.tenantKey, body: body)
                try expectError(reply, 400, code: "invalid_json")
            }
            let empty = try await generateBatch(server, key: server.tenantKey, body: "{}")
            #expect(empty.status == 200)
            #expect(try empty.object().isEmpty)

            let members = (0..<51).map { #""unknown-\#($0)": {}"# }
            let tooMany = try await generateBatch(server, key: server.tenantKey, body: "{\(members.joined(separator: ","))}")
            try expectError(tooMany, 400, code: "invalid_parameter", mentions: "50")
            let fifty = try await generateBatch(server, key: server.tenantKey, body: "{\(members.dropLast().joined(separator: ","))}")
            #expect(fifty.status == 200)
            #expect(try fifty.object().count == 50)
        }
    }
}
