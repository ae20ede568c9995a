import Foundation
import TallyDomain

/// Events for the tenant zone tests, placed where local days and hours differ most from UTC's.
enum ZonedTraffic {
    /// The most recent DST transition of `zone` before `now`, found with Foundation (never with
    /// Tally's clocks), so the test keeps covering one whatever day CI runs on.
    static func lastTransition(in zone: TimeZone, before now: Date = Date()) -> Date {
        var cursor = now.addingTimeInterval(-200 * 86_400)
        var last = cursor
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < now {
            last = next
            cursor = next
        }
        return last
    }

    /// Short conversations of `tenant` every 7 minutes from 4 h before `instant` to 4 h after it:
    /// across a DST change these fill the skipped or repeated local hour and the hours around
    /// local midnight, which land on other days than in UTC.
    static func around(_ instant: Date, tenant: String) -> [Event] {
        let center = Int64(instant.timeIntervalSince1970 * 1000)
        var events: [Event] = []
        for (index, start) in stride(from: center - 4 * 3_600_000, to: center + 4 * 3_600_000, by: 7 * 60_000).enumerated() {
            let conversation = "\(tenant)-dst-\(index)"
            let contact = "\(tenant)-dst-contact-\(index % 5)"
            func make(_ kind: Event.Kind, _ offset: Int64, _ suffix: String) -> Event {
                Event(id: "dst-\(tenant)-\(index)-\(suffix)", kind: kind, userId: tenant, occurredAtMillis: start + offset,
                      conversationId: conversation, contactId: contact, botId: "bot-1", channel: "web", tokens: kind == .conversationCreated ? nil : 7)
            }
            events += [make(.conversationCreated, 0, "c"), make(.messageCreated(.user), 20_000, "u"), make(.messageCreated(.bot), 95_000, "b")]
            if index % 3 == 0 { events.append(make(.ratingCreated(value: index % 2 == 0 ? 1 : -1), 120_000, "r")) }
        }
        return events
    }

    /// A batch of new traffic on the last two days, its conversations renamed after `batch`: the
    /// generator numbers conversations from 1 in every run, and a batch that reused an older
    /// conversation's id would change that conversation's figures on its old start day.
    static func arriving(batch: Int, end: Day, total: Int) -> [Event] {
        TrafficGenerator(seed: UInt64(1_000 + batch), tenants: 3, days: 2, endDay: end, total: total).map { event in
            var event = event
            event.conversationId = event.conversationId.map { "arrival-\(batch)-\($0)" }
            return event
        }
    }
}
