import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TallyDomain
import TallyHTTP

/// Every answer of ChatBotKit's generate routes, for every report, several tenants and periods, is
/// judged against its report's output schema in `schemas/` by Python's `jsonschema` (a validator
/// Tally did not write), and carries the figures `/fetch` computes for the same window.
@Suite("ChatBotKit conformance, judged by jsonschema")
struct ChatBotKitConformanceTests {
    static let today = Day(iso: "2026-03-15")!
    /// Generated tenants with history, and one without any event.
    static let tenants = (0..<3).map(TrafficGenerator.tenantId) + ["tenant-without-events"]
    static let periods = [1, 7, 30, 90, 365]
    static let totalContacts = "clr3m5n8k000308jq1h7i8j4d"

    static func events() -> [Event] {
        Array(TrafficGenerator(seed: 20_260_315, tenants: 3, days: 120, endDay: today, total: 12_000))
    }

    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    /// The properties report `id`'s output schema defines, read from its published file.
    static func outputProperties(_ id: String) throws -> Set<String> {
        let file = try json(Data(contentsOf: try SchemaValidator.schemaFile(for: id)))
        let output = try #require(((file["reports"] as? [String: Any])?[id] as? [String: Any])?["output"] as? [String: Any])
        let name = try #require((output["$ref"] as? String)?.split(separator: "/").last.map(String.init))
        let definition = try #require((output["definitions"] as? [String: Any])?[name] as? [String: Any])
        return Set(try #require(definition["properties"] as? [String: Any]).keys)
    }

    /// Report `id`'s input, ChatBotKit's way: Total Contacts names the tenant, the others a period.
    static func input(_ id: String, tenant: String, periodDays: Int) -> String {
        id == totalContacts ? #"{"userId":"\#(tenant)"}"# : #"{"periodDays":\#(periodDays)}"#
    }

    @Test("every generate answer, single and batch, passes its output schema and equals /fetch's figures")
    func outputsConform() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            var checks: [SchemaCheck] = []
            var compared = 0
            for tenant in Self.tenants {
                for periodDays in Self.periods {
                    var batch: [String] = []
                    for report in ReportCatalog.all {
                        let id = report.id
                        let body = Self.input(id, tenant: tenant, periodDays: periodDays)
                        let reply = try await send(server, "POST", "api/v1/platform/report/\(id)/generate?userId=\(tenant)",
                                                   key: server.platformKey, body: body, session: session)
                        try #require(reply.status == 200, "\(id) \(tenant) \(periodDays): \(String(decoding: reply.body, as: UTF8.self))")
                        let label = "\(report.name), \(tenant), \(periodDays) days"
                        checks.append(SchemaCheck(label: label, schemaFile: try SchemaValidator.schemaFile(for: id),
                                                  schemaPointer: "/reports/\(id)/output", instance: reply.body))

                        // The same window on /fetch: same numbers, ChatBotKit's fields only.
                        let fetched = try await send(server, "POST", "api/v1/report/\(id)/fetch", key: server.platformKey,
                                                     body: #"{"userId":"\#(tenant)","periodDays":\#(periodDays),"endDate":"\#(Self.today.iso)"}"#,
                                                     session: session)
                        try #require(fetched.status == 200)
                        var expected = try Self.json(fetched.body).filter { try Self.outputProperties(id).contains($0.key) }
                        if id == Self.totalContacts { expected["period"] = "all time" }
                        let generated = try Self.json(reply.body)
                        #expect(NSDictionary(dictionary: generated).isEqual(to: expected), "\(label): \(generated) vs \(expected)")
                        compared += 1
                        batch.append(#""\#(id)":\#(body)"#)
                    }
                    let reply = try await send(server, "POST", "api/v1/platform/report/generate?userId=\(tenant)",
                                               key: server.platformKey, body: "{\(batch.joined(separator: ","))}", session: session)
                    try #require(reply.status == 200)
                    for report in ReportCatalog.all {
                        checks.append(SchemaCheck(label: "batch: \(report.name), \(tenant), \(periodDays) days",
                                                  schemaFile: try SchemaValidator.schemaFile(for: report.id),
                                                  schemaPointer: "/reports/\(report.id)/output", instance: reply.body,
                                                  instancePointer: "/" + SchemaValidator.pointerToken(report.id)))
                    }
                }
            }
            #expect(compared == Self.tenants.count * Self.periods.count * ReportCatalog.all.count)
            let results = try SchemaValidator.judge(checks)
            let failures = results.filter { !$0.valid }
            #expect(failures.isEmpty, "\(failures.count) of \(results.count) answers break their schema: \(failures.prefix(5).map { "\($0.label): \($0.errors)" })")
            #expect(results.count == 2 * compared)
        }
    }

    /// An input, and whether Tally refuses it although ChatBotKit's schema allows it (Tally's own
    /// bounds, which the schema of Tally's own report states itself).
    struct InputCase: Sendable {
        var body: String
        var tallyIsStricter = false
    }

    static let periodInputs: [InputCase] = [
        .init(body: "{}"), .init(body: #"{"periodDays":1}"#), .init(body: #"{"periodDays":365}"#), .init(body: #"{"periodDays":7.0}"#),
        .init(body: #"{"periodDays":0}"#), .init(body: #"{"periodDays":-1}"#), .init(body: #"{"periodDays":1.5}"#),
        .init(body: #"{"periodDays":"7"}"#), .init(body: #"{"periodDays":null}"#), .init(body: #"{"periodDays":true}"#),
        .init(body: #"{"periodDay":7}"#), .init(body: #"{"endDate":"2026-03-15"}"#), .init(body: #"{"userId":"tenant-1"}"#),
        .init(body: #"{"periodDays":366}"#, tallyIsStricter: true),
    ]

    static let contactInputs: [InputCase] = [
        .init(body: #"{"userId":"tenant-1"}"#), .init(body: "{}"), .init(body: #"{"userId":5}"#), .init(body: #"{"userId":null}"#),
        .init(body: #"{"userId":"tenant-1","periodDays":7}"#), .init(body: #"{"userId":""}"#, tallyIsStricter: true),
    ]

    @Test("Tally accepts exactly the inputs jsonschema accepts, but for its own bounds (periodDays ≤ 365, userId not empty)")
    func inputsAgreeWithSchemas() async throws {
        try await withLiveServer(today: { Self.today }, events: Self.events()) { server in
            let reports = ["clr3m5n8k000408jq9i8j9k5e", "clr3m5n8k000b08jq8p5q6r2l", "clr3m5n8k000d08jqt4l7y2c9", Self.totalContacts]
            var cases: [(label: String, accepted: Bool, stricter: Bool)] = []
            var checks: [SchemaCheck] = []
            for id in reports {
                for input in id == Self.totalContacts ? Self.contactInputs : Self.periodInputs {
                    let reply = try await send(server, "POST", "api/v1/platform/report/\(id)/generate?userId=tenant-1",
                                               key: server.platformKey, body: input.body)
                    #expect([200, 400].contains(reply.status), "\(id) \(input.body): \(reply.status)")
                    let label = "\(id) \(input.body)"
                    let file = try SchemaValidator.schemaFile(for: id)
                    cases.append((label, reply.status == 200, input.tallyIsStricter && file == SchemaValidator.chatBotKitSchemas))
                    checks.append(SchemaCheck(label: label, schemaFile: file, schemaPointer: "/reports/\(id)/input",
                                              instance: Data(input.body.utf8)))
                }
            }
            for (verdict, judged) in zip(cases, try SchemaValidator.judge(checks)) {
                if verdict.stricter {
                    #expect(judged.valid && !verdict.accepted, "\(verdict.label): schema \(judged.valid), Tally \(verdict.accepted)")
                } else {
                    #expect(judged.valid == verdict.accepted, "\(verdict.label): schema \(judged.valid) \(judged.errors), Tally \(verdict.accepted)")
                }
            }
        }
    }
}
