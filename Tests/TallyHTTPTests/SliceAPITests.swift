import Foundation
import Testing
import TallyDomain
import TallyHTTP

/// `botId`, `channel` and `groupBy` on the fetch route, over a real socket: the figures of a slice,
/// the groups of a dimension, and unchanged shapes for requests that name neither.
@Suite("Slices and groups over HTTP")
struct SliceAPITests {
    /// Messages on 2026-03-15 (noon UTC) of tenant t1 across two bots and two channels, one without
    /// a bot and one without a channel; conversation c9 of bot b2 on the previous period's last day.
    static func events() -> [Event] {
        let noon = Int64(Day(iso: "2026-03-15")!.number) * 86_400_000 + 43_200_000
        func message(_ n: Int, _ type: MessageType, bot: String?, channel: String?, conversation: String, daysBack: Int = 0) -> Event {
            Event(id: "s\(n)", kind: .messageCreated(type), userId: "t1", occurredAtMillis: noon - Int64(daysBack) * 86_400_000,
                  conversationId: conversation, contactId: "k\(n % 3)", botId: bot, channel: channel)
        }
        return [
            message(1, .user, bot: "b1", channel: "web", conversation: "c1"),
            message(2, .bot, bot: "b1", channel: "web", conversation: "c1"),
            message(3, .user, bot: "b1", channel: "slack", conversation: "c2"),
            message(4, .user, bot: "b2", channel: "web", conversation: "c3"),
            message(5, .user, bot: nil, channel: "web", conversation: "c4"),
            message(6, .user, bot: "b2", channel: nil, conversation: "c5"),
            message(7, .user, bot: "b2", channel: "web", conversation: "c9", daysBack: 7),
            message(8, .user, bot: "<b3 onload=x>", channel: "web", conversation: "c9", daysBack: 7),
        ]
    }

    static let totalMessages = "Total Messages Report"

    @Test("botId and channel compute the report over that slice alone")
    func filters() async throws {
        try await withLiveServer(events: Self.events()) { server in
            for (body, value, change) in [(#"{"botId":"b1","periodDays":7,"endDate":"2026-03-15"}"#, 3, 3),
                                          (#"{"botId":"b2","periodDays":7,"endDate":"2026-03-15"}"#, 2, 1),
                                          (#"{"channel":"web","periodDays":7,"endDate":"2026-03-15"}"#, 4, 2),
                                          (#"{"botId":"nobody","periodDays":7,"endDate":"2026-03-15"}"#, 0, 0)] {
                let reply = try await fetch(server, Self.totalMessages, key: server.tenantKey, body: body)
                #expect(reply.status == 200, "\(body)")
                let object = try reply.object()
                #expect(object["value"] as? Int == value, "\(body)")
                #expect(object["change"] as? Int == change, "\(body)")
                #expect(Set(object.keys) == ["value", "change", "period", "breakdown"], "a sliced answer keeps the seed's shape")
            }
            let contacts = try await fetch(server, "Active Contacts Report", key: server.tenantKey,
                                           body: #"{"botId":"b1","periodDays":1,"endDate":"2026-03-15"}"#)
            #expect(try contacts.object()["value"] as? Int == 3, "contacts k1, k2 and k0 of b1, each once")
        }
    }

    @Test("groupBy adds one group per value seen in either period, largest first, and keeps the tenant's figures")
    func groups() async throws {
        try await withLiveServer(events: Self.events()) { server in
            let plain = try await fetch(server, Self.totalMessages, key: server.tenantKey, body: #"{"periodDays":7,"endDate":"2026-03-15"}"#).object()
            #expect(plain["groups"] == nil)
            let reply = try await fetch(server, Self.totalMessages, key: server.tenantKey,
                                        body: #"{"groupBy":"botId","periodDays":7,"endDate":"2026-03-15"}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object["value"] as? Int == plain["value"] as? Int)
            #expect(object["value"] as? Int == 6)
            #expect((object["breakdown"] as? [[String: Any]])?.count == 7)
            let groups = try #require(object["groups"] as? [[String: Any]])
            #expect(groups.map { $0["key"] as? String } == ["b1", "b2", "<b3 onload=x>"])
            #expect(groups.map { $0["value"] as? Int } == [3, 2, 0])
            #expect(groups.map { $0["change"] as? Int } == [3, 1, -1])
            #expect(groups.allSatisfy { Set($0.keys) == ["key", "value", "change"] })
            #expect(Set(object.keys) == ["value", "change", "period", "breakdown", "groups"])

            let channels = try await fetch(server, "Average User Messages per Conversation", key: server.tenantKey,
                                           body: #"{"groupBy":"channel","periodDays":7,"endDate":"2026-03-15"}"#).object()
            let channelGroups = try #require(channels["groups"] as? [[String: Any]])
            #expect(channelGroups.map { $0["key"] as? String } == ["slack", "web"], "ties order by key; web: 3 user messages in 3 conversations")
            #expect(channelGroups.map { $0["value"] as? Double } == [1, 1])
        }
    }
}
