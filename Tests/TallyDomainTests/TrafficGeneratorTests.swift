import Testing
import TallyDomain

/// The last day of generated history; fixed so the tests never depend on today's date.
private let endDay = Day(year: 2026, month: 3, day: 15)!

/// The last millisecond of `endDay`: generated events never lie beyond it, so none is "future".
private let endOfEndDay = Int64(endDay.number + 1) * 86_400_000 - 1

/// All events of one generator run, collected so runs can be compared whole.
private func generate(seed: UInt64, tenants: Int = 3, days: Int = 30, total: Int = 2_000) -> [Event] {
    Array(TrafficGenerator(seed: seed, tenants: tenants, days: days, endDay: endDay, total: total))
}

@Suite("TrafficGenerator")
struct TrafficGeneratorTests {
    @Test("the same seed yields identical events")
    func reproducible() {
        #expect(generate(seed: 42) == generate(seed: 42))
        #expect(generate(seed: 7, tenants: 1, days: 1, total: 50) == generate(seed: 7, tenants: 1, days: 1, total: 50))
    }

    @Test("the shuffled spread: the same events of a conversation in order, reproducible, within bounds, every stretch of traffic over most days")
    func shuffledSpread() {
        let days = 30
        let events = Array(TrafficGenerator(seed: 5, tenants: 4, days: days, endDay: endDay, total: 6_000, spread: .shuffled))
        #expect(events.count == 6_000)
        #expect(events == Array(TrafficGenerator(seed: 5, tenants: 4, days: days, endDay: endDay, total: 6_000, spread: .shuffled)))
        #expect(Set(events.map(\.id)).count == events.count)
        let first = Int64(endDay.advanced(by: -(days - 1)).number) * 86_400_000
        #expect(events.allSatisfy { $0.occurredAtMillis >= first && $0.occurredAtMillis <= endOfEndDay })
        // Conversations interleave, but each one's own events keep their order.
        var lastTime: [String: Int64] = [:]
        var interleaved = 0
        for (index, event) in events.enumerated() {
            guard let conversation = event.conversationId else { continue }
            #expect(event.occurredAtMillis >= lastTime[conversation] ?? .min, "\(conversation) out of order")
            lastTime[conversation] = event.occurredAtMillis
            if index > 0, events[index - 1].conversationId != conversation { interleaved += 1 }
        }
        #expect(interleaved > events.count / 2)
        // Any 500 consecutive events fall on most of the days, unlike the forward spread.
        let window = Set(events[1_000..<1_500].map { $0.occurredAtMillis / 86_400_000 })
        #expect(window.count > days * 2 / 3, "\(window.count) days")
        let forward = Set(generate(seed: 5, tenants: 4, days: days, total: 6_000)[1_000..<1_500].map { $0.occurredAtMillis / 86_400_000 })
        #expect(forward.count < days / 3, "\(forward.count) days")
    }

    @Test("a different seed yields different events")
    func seedMatters() {
        let a = generate(seed: 1)
        let b = generate(seed: 2)
        #expect(a != b)
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
    }

    @Test("yields exactly the requested number of events", arguments: [0, 1, 2, 17, 1_000, 4_321])
    func exactCount(total: Int) {
        #expect(generate(seed: 9, total: total).count == total)
    }

    @Test("event ids are unique and every event stays inside the requested days and tenants")
    func withinBounds() {
        let events = generate(seed: 11, tenants: 4, days: 10, total: 5_000)
        #expect(Set(events.map(\.id)).count == events.count)
        let first = endDay.advanced(by: -9)
        #expect(events.allSatisfy { $0.day >= first && $0.day <= endDay })
        let tenants = Set((0..<4).map(TrafficGenerator.tenantId))
        #expect(Set(events.map(\.userId)).isSubset(of: tenants))
        #expect(events.allSatisfy { $0.contactId == nil || $0.contactId!.hasPrefix($0.userId + "-contact-") })
    }

    @Test("every event type and every common message type occurs")
    func variety() {
        let events = generate(seed: 3, total: 5_000)
        let types = Set(events.map(\.typeName))
        #expect(types == Set(EventType.allCases.map(\.rawValue)))
        var messageTypes = Set<MessageType>()
        for event in events { if case .messageCreated(let type) = event.kind { messageTypes.insert(type) } }
        #expect(messageTypes.isSuperset(of: [.user, .bot, .activity]))
        #expect(events.contains { if case .ratingCreated(let v) = $0.kind { v < 0 } else { false } })
        #expect(events.contains { if case .ratingCreated = $0.kind { $0.conversationId == nil } else { false } })
    }

    @Test("every generated event survives EventEncoder and EventDecoder unchanged")
    func roundTrip() throws {
        let decoder = EventDecoder()
        for event in generate(seed: 2026, tenants: 5, days: 60, total: 5_000) {
            let bytes = EventEncoder.json(event)
            switch decoder.decode(bytes, nowMillis: endOfEndDay) {
            case .success(let decoded):
                #expect(decoded == event)
            case .failure(let rejection):
                Issue.record("\(rejection.code.rawValue): \(rejection.message) for \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test("the encoder escapes awkward characters so they decode back intact")
    func escaping() throws {
        // Identifiers may not hold control characters (the decoder refuses them); free text may.
        let event = Event(id: "q\"uote\\back", kind: .ratingCreated(value: -3), userId: "tenant </script> ü",
                          occurredAtMillis: endOfEndDay - 5, conversationId: nil, contactId: "ünï©ødé 🎉",
                          messageId: "m/1", reason: "line1\nline2\t\r\u{01}")
        let decoded = EventDecoder().decode(EventEncoder.json(event), nowMillis: endOfEndDay)
        #expect(try decoded.get() == event)
    }

    @Test("timestamps are written in UTC with milliseconds")
    func timestamps() {
        #expect(EventEncoder.timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(EventEncoder.timestamp(1_773_570_030_250) == "2026-03-15T10:20:30.250Z")
        #expect(EventEncoder.timestamp(endOfEndDay) == "2026-03-15T23:59:59.999Z")
        #expect(EventEncoder.timestamp(-1) == "1969-12-31T23:59:59.999Z")
        #expect(EventEncoder.timestamp(7) == "1970-01-01T00:00:00.007Z")
    }
}
