import Testing
import TallyDomain

/// Per-conversation state: folding events in any order and any grouping gives one state, and its
/// contribution is what the definitions say, computed here the slow way.
@Suite("Conversation state")
struct ConversationStateTests {
    static let day = Day(year: 2026, month: 2, day: 10)!

    static func event(_ kind: Event.Kind, _ millis: Int64, id: String = "") -> Event {
        Event(id: id, kind: kind, userId: "t", occurredAtMillis: millis, conversationId: "c")
    }

    static func fold(_ events: [Event]) -> ConversationState {
        var state = ConversationState(events[0])
        for event in events.dropFirst() { state.merge(ConversationState(event)) }
        return state
    }

    /// The contribution by the definitions, from the raw events.
    static func naive(_ events: [Event]) -> ConversationState.Contribution {
        let created = events.filter { $0.kind == .conversationCreated }.map(\.occurredAtMillis).min()
        let start = created ?? events.map(\.occurredAtMillis).min()!
        let users = events.filter { $0.kind == .messageCreated(.user) }.map(\.occurredAtMillis)
        let bots = events.filter { $0.kind == .messageCreated(.bot) }.map(\.occurredAtMillis)
        let messages = events.compactMap { if case .messageCreated = $0.kind { $0.occurredAtMillis } else { nil } }
        let response = users.min().flatMap { user in bots.filter { $0 >= user }.min().map { $0 - user } }
        return .init(day: Day(epochMillis: start), depth: ConversationDepth(userMessages: Int64(users.count)), firstResponseMillis: response,
                     durationMillis: messages.isEmpty ? nil : messages.max()! - messages.min()!)
    }

    static func randomConversation(_ random: inout SeededRandom) -> [Event] {
        let base = Int64(day.number) * 86_400_000
        let kinds: [Event.Kind] = [.conversationCreated, .messageCreated(.user), .messageCreated(.bot), .messageCreated(.bot),
                                   .messageCreated(.activity), .ratingCreated(value: 1)]
        return (0..<random.int(in: 1...14)).map { index in
            event(kinds[random.int(in: 0...(kinds.count - 1))], base + Int64(random.int(in: -100...3 * 86_400)) * 1000, id: "\(index)")
        }
    }

    @Test("any order and any grouping of a conversation's events folds to one state, with the naive contribution")
    func orderAndGrouping() {
        var random = SeededRandom(seed: 42)
        for _ in 0..<2_000 {
            let events = Self.randomConversation(&random)
            let reference = Self.fold(events)
            #expect(reference.contribution == Self.naive(events), "\(events.map { ($0.kind, $0.occurredAtMillis) })")
            let shuffled = events.shuffled(using: &random)
            let cut = random.int(in: 0...shuffled.count)
            let parts = [Array(shuffled[..<cut]), Array(shuffled[cut...])].filter { !$0.isEmpty }.map(Self.fold)
            let merged = parts.dropFirst().reduce(parts[0]) { $0.merging($1) }
            #expect(merged == reference)
        }
    }

    @Test("messages and tokens count every message.created (tokens absent as 0) and add up under any order and grouping")
    func usageCountsMessagesAndTokens() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<1_000 {
            let events = Self.randomConversation(&random).map { event in
                var event = event
                if case .messageCreated = event.kind, random.int(in: 0...3) > 0 { event.tokens = random.int(in: 0...5_000) }
                return event
            }
            let messages = events.filter { if case .messageCreated = $0.kind { true } else { false } }
            let reference = Self.fold(events)
            #expect(reference.messages == Int64(messages.count))
            #expect(reference.tokens == Int64(messages.reduce(0) { $0 + ($1.tokens ?? 0) }))
            let shuffled = events.shuffled(using: &random)
            let cut = random.int(in: 0...shuffled.count)
            let parts = [Array(shuffled[..<cut]), Array(shuffled[cut...])].filter { !$0.isEmpty }.map(Self.fold)
            let merged = parts.reversed().dropFirst().reduce(parts.last!) { $0.merging($1) }
            #expect(merged.messages == reference.messages && merged.tokens == reference.tokens)
            #expect(merged == reference)
        }
        let rating = ConversationState(Self.event(.ratingCreated(value: 1), 0))
        #expect(rating.messages == 0 && rating.tokens == 0)
        var created = ConversationState(Self.event(.conversationCreated, 0))
        created.merge(ConversationState(Event(id: "m", kind: .messageCreated(.activity), userId: "t", occurredAtMillis: 5, conversationId: "c", tokens: 12)))
        #expect(created.messages == 1 && created.tokens == 12)
    }

    @Test("a late user message before the first one makes an earlier bot message the response")
    func lateUserMessageMovesTheResponse() {
        var state = Self.fold([Self.event(.messageCreated(.bot), 10_000), Self.event(.messageCreated(.bot), 40_000),
                               Self.event(.messageCreated(.user), 50_000), Self.event(.messageCreated(.bot), 70_000)])
        #expect(state.firstResponseAt == 70_000 && state.botMessagesBeforeFirstUser == [10_000, 40_000])
        #expect(state.contribution.firstResponseMillis == 20_000)
        state.merge(ConversationState(Self.event(.messageCreated(.user), 30_000)))
        #expect(state.firstResponseAt == 40_000 && state.botMessagesBeforeFirstUser == [10_000])
        #expect(state.contribution.firstResponseMillis == 10_000)
        state.merge(ConversationState(Self.event(.messageCreated(.user), 5_000)))
        #expect(state.contribution.firstResponseMillis == 5_000 && state.botMessagesBeforeFirstUser.isEmpty)
        #expect(state.contribution.depth == .twoToThree && state.contribution.durationMillis == 65_000)
    }

    @Test("the start day is the creation's, else the earliest event's")
    func startDay() {
        let late = Int64(Self.day.number) * 86_400_000 + 86_399_000
        var state = ConversationState(Self.event(.messageCreated(.user), late))
        #expect(state.startDay == Self.day)
        state.merge(ConversationState(Self.event(.ratingCreated(value: -2), late - 86_400_000)))
        #expect(state.startDay == Self.day.advanced(by: -1))
        state.merge(ConversationState(Self.event(.conversationCreated, late + 86_400_000)))
        #expect(state.startDay == Self.day.advanced(by: 1), "a creation wins over earlier events")
    }

    @Test("depth buckets")
    func depthBuckets() {
        let expected: [(Int64, String)] = [(0, "0"), (1, "1"), (2, "2-3"), (3, "2-3"), (4, "4-10"), (10, "4-10"), (11, ">10"), (500, ">10")]
        for (count, label) in expected { #expect(ConversationDepth(userMessages: count).label == label) }
        #expect(ConversationDepth.allCases.map(\.label) == ["0", "1", "2-3", "4-10", ">10"])
    }

    @Test("day metrics add and take away contributions exactly")
    func dayMetrics() {
        var metrics = ConversationDayMetrics()
        let one = ConversationState.Contribution(day: Self.day, depth: .one, firstResponseMillis: 1_500, durationMillis: 9_000)
        let none = ConversationState.Contribution(day: Self.day, depth: .none, firstResponseMillis: nil, durationMillis: 0)
        metrics.add(one)
        metrics.add(none)
        #expect(metrics.started == 2 && metrics.withUserMessages == 1 && metrics.withOneUserMessage == 1)
        #expect(metrics.firstResponses.count == 1 && metrics.durations.count == 2)
        metrics.add(one, sign: -1)
        metrics.add(none, sign: -1)
        #expect(metrics.isEmpty && metrics == ConversationDayMetrics())
    }

    @Test("ratings and bot messages fold and merge additively, in any order and grouping")
    func ratingsAndBotMessages() {
        let events = [
            Self.event(.ratingCreated(value: 50), 5_000), Self.event(.messageCreated(.bot), 1_000), Self.event(.ratingCreated(value: -1), 7_000),
            Self.event(.messageCreated(.user), 2_000), Self.event(.messageCreated(.bot), 3_000), Self.event(.ratingCreated(value: -100), 4_000),
            Self.event(.messageCreated(.activity), 6_000),
        ]
        let state = Self.fold(events)
        #expect(state.thumbsUp == 1 && state.thumbsDown == 2 && state.botMessages == 2 && state.messages == 4)
        #expect(Self.fold(events.reversed()) == state)
        let halves = Self.fold(Array(events.prefix(3))).merging(Self.fold(Array(events.dropFirst(3))))
        #expect(halves == state)
    }
}
