import Foundation
import Testing
import TallyDomain
import TallyHTTP

@Suite("Report list: ChatBotKit's paging, sources and schemas")
struct ReportListAPITests {
    /// The ids of one list call.
    static func ids(_ server: LiveServer, query: String) async throws -> [String] {
        let reply = try await send(server, "GET", "api/v1/platform/report/list\(query)", key: server.tenantKey)
        #expect(reply.status == 200, "\(query): \(String(decoding: reply.body, as: UTF8.self))")
        let object = try reply.object()
        #expect(Set(object.keys) == ["items"], "\(query)")
        return try #require(object["items"] as? [[String: Any]]).compactMap { $0["id"] as? String }
    }

    @Test("each item says whose report it is and carries its published input and output schemas")
    func sourcesAndSchemas() async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "api/v1/platform/report/list", key: server.tenantKey)
            let items = try #require(try reply.object()["items"] as? [[String: Any]])
            let chatBotKit = try SchemaValidator.reportIds(in: SchemaValidator.chatBotKitSchemas)
            var sources: [String: Int] = [:]
            for item in items {
                let id = try #require(item["id"] as? String)
                #expect(Set(item.keys) == ["id", "name", "description", "createdAt", "updatedAt", "source", "input", "output"], "\(id)")
                let source = try #require(item["source"] as? String)
                sources[source, default: 0] += 1
                #expect(source == (chatBotKit.contains(id) ? "chatbotkit" : "tally"), "\(id)")
                let file = try SchemaValidator.schemaFile(for: id)
                let published = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
                let report = try #require((published["reports"] as? [String: Any])?[id] as? [String: Any], "\(id) has no published schema")
                for part in ["input", "output"] {
                    let listed = try #require(item[part] as? [String: Any], "\(id) \(part)")
                    let expected = try #require(report[part] as? [String: Any])
                    #expect(NSDictionary(dictionary: listed).isEqual(to: expected), "\(id) \(part) differs from \(file.lastPathComponent)")
                }
            }
            // ChatBotKit's 13 basic reports, its per-bot and tenant-wide ones; Tally's own.
            #expect(sources == ["chatbotkit": 13 + BotReport.allCases.count + TenantReport.allCases.count + 1, "tally": 12])
            #expect(items.first { $0["id"] as? String == "clr3m5n8k000d08jqt4l7y2c9" }?["source"] as? String == "tally")
        }
    }

    @Test("take, cursor and order page through the catalog in id order, as a model of the catalog says")
    func pagingAgainstModel() async throws {
        try await withLiveServer { server in
            let ascending = (ReportCatalog.all.map(\.id) + BotReport.allCases.map(\.id) + TenantReport.allCases.map(\.id) + [ConversationUsageReport.id]).sorted()
            #expect(try await Self.ids(server, query: "") == ascending)
            for order in [nil, "asc", "desc"] {
                let model = order == "desc" ? Array(ascending.reversed()) : ascending
                #expect(try await Self.ids(server, query: order.map { "?order=\($0)" } ?? "") == model)
                for take in [1, 2, 3, 5, 13, 14, 100] {
                    // Walk every page from the last id of the one before, as ChatBotKit's clients do.
                    var seen: [String] = []
                    var cursor: String?
                    var pages = 0
                    while true {
                        var query = ["take=\(take)"]
                        if let order { query.append("order=\(order)") }
                        if let cursor { query.append("cursor=\(cursor)") }
                        let page = try await Self.ids(server, query: "?" + query.joined(separator: "&"))
                        pages += 1
                        let expected = Array(model.dropFirst(seen.count).prefix(take))
                        #expect(page == expected, "take \(take), order \(order ?? "-"), page \(pages)")
                        seen += page
                        guard page.count == take, let last = page.last else { break }
                        cursor = last
                        try #require(pages <= model.count + 1)
                    }
                    #expect(seen == model, "take \(take), order \(order ?? "-")")
                }
                // A cursor in the middle starts right after it; after the last id nothing is left.
                let middle = model[6]
                #expect(try await Self.ids(server, query: "?cursor=\(middle)" + (order.map { "&order=\($0)" } ?? "")) == Array(model[7...]))
                #expect(try await Self.ids(server, query: "?cursor=\(model.last!)" + (order.map { "&order=\($0)" } ?? "")) == [])
            }
            // Empty values take the defaults; other parameters (the SDK's meta.*) are ignored.
            #expect(try await Self.ids(server, query: "?take=&order=&cursor=&meta.team=a") == ascending)
        }
    }

    @Test("bad paging values are 400 invalid_parameter naming the parameter", arguments: [
        ("take=0", "take"), ("take=101", "take"), ("take=-1", "take"), ("take=ten", "take"), ("take=1.5", "take"),
        ("order=up", "order"), ("order=ASC", "order"), ("cursor=no-such-report", "cursor"),
    ])
    func badPaging(_ query: String, _ parameter: String) async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "api/v1/platform/report/list?\(query)", key: server.tenantKey)
            try expectError(reply, 400, code: "invalid_parameter", mentions: parameter)
        }
    }
}
