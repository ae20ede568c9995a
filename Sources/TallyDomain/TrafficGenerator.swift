/// Generates realistic, reproducible conversational traffic for demos, tests and benchmarks.
///
/// The stream walks forward through `days` days ending on `endDay`. Each step is a conversation:
/// a `conversation.created`, several messages of mixed types, sometimes a rating. Contacts return
/// (most conversations reuse an earlier contact of the tenant), and about 1 % of conversations are
/// late: they are emitted later than their event time, as slow clients do. The same seed always
/// yields the same events.
public struct TrafficGenerator: Sequence, IteratorProtocol {
    /// How the generated conversations fall in time.
    public enum Spread: String, Sendable, CaseIterable {
        /// Conversations walk forward through the days, one after another (about 1 % of them late),
        /// as a replay of a day-ordered history reads.
        case forward
        /// Each conversation falls on a random day of the range, and 64 conversations are open at
        /// once with their events interleaved, as traffic from many clients with late deliveries
        /// looks: every batch touches most days and most tenants.
        case shuffled
    }

    /// Conversations whose events interleave in the shuffled spread.
    static let openConversations = 64

    public let tenants: Int
    public let spread: Spread
    public let days: Int
    public let endDay: Day
    public let total: Int

    private var random: SeededRandom
    private let seed: UInt64
    private var emitted = 0
    private var conversationCount = 0
    private var pending: [Event] = []
    /// The shuffled spread's open conversations, each with its events left to emit, last first.
    private var open: [[Event]] = []
    private var contactsPerTenant: [Int]

    /// - Parameters:
    ///   - seed: the reproducibility seed.
    ///   - tenants: how many tenants (`userId`s) share the traffic.
    ///   - days: how many days of history, ending on `endDay`.
    ///   - total: how many events to yield in all.
    ///   - spread: how conversations fall in time; the forward spread of a seed never changes.
    public init(seed: UInt64, tenants: Int, days: Int, endDay: Day, total: Int, spread: Spread = .forward) {
        precondition(tenants > 0 && days > 0 && total >= 0)
        self.spread = spread
        self.seed = seed
        self.tenants = tenants
        self.days = days
        self.endDay = endDay
        self.total = total
        self.random = SeededRandom(seed: seed)
        self.contactsPerTenant = Array(repeating: 0, count: tenants)
    }

    /// The tenant id for index `i`, as the generator names them.
    public static func tenantId(_ i: Int) -> String { "tenant-\(i + 1)" }

    public mutating func next() -> Event? {
        guard emitted < total else { return nil }
        emitted += 1
        guard spread == .shuffled else {
            if pending.isEmpty { pending = makeConversation().reversed() }
            return pending.removeLast()
        }
        while open.count < Self.openConversations { open.append(makeConversation().reversed()) }
        let index = random.int(in: 0...(open.count - 1))
        let event = open[index].removeLast()
        if open[index].isEmpty { open.swapAt(index, open.count - 1); open.removeLast() }
        return event
    }

    private mutating func makeConversation() -> [Event] {
        conversationCount += 1
        let progress = Double(emitted) / Double(Swift.max(total, 1))
        var dayOffset = Swift.min(days - 1, Int(progress * Double(days)))
        if spread == .shuffled {
            dayOffset = random.int(in: 0...(days - 1))
        } else if random.chance(0.01) {
            dayOffset = Swift.max(0, dayOffset - random.int(in: 1...Swift.min(30, days)))
        }
        let day = endDay.advanced(by: -(days - 1) + dayOffset)
        let tenantIndex = random.int(in: 0...(tenants - 1))
        let tenant = Self.tenantId(tenantIndex)
        let contact = pickContact(tenant: tenantIndex)
        let conversation = "\(tenant)-conv-\(conversationCount)"
        let bot = "bot-\(random.int(in: 1...3))"
        let channel = ["web", "slack", "whatsapp", "api"][random.int(in: 0...3)]
        var clock = Int64(day.number) * 86_400_000 + Int64(random.int(in: 0...(86_400_000 - 3_600_000)))

        func make(_ kind: Event.Kind, message: String? = nil, conversationId: String? = conversation) -> Event {
            clock += Int64(random.int(in: 200...60_000))
            let id = "evt-\(seed)-\(conversationCount)-\(random.next() % 1_000_000_000)"
            return Event(id: id, kind: kind, userId: tenant, occurredAtMillis: Swift.min(clock, Int64(day.number + 1) * 86_400_000 - 1),
                         conversationId: conversationId, contactId: contact, botId: bot, channel: channel, messageId: message,
                         tokens: Self.tokens(for: kind, id: id))
        }

        var events = [make(.conversationCreated)]
        let turns = random.int(in: 1...4)
        for turn in 0..<turns {
            events.append(make(.messageCreated(.user)))
            if random.chance(0.3) { events.append(make(.messageCreated(.activity))) }
            if random.chance(0.15) { events.append(make(.messageCreated([.reasoning, .context, .instruction, .backstory, .checkpoint][random.int(in: 0...4)]))) }
            if random.chance(0.95) || turn == turns - 1 { events.append(make(.messageCreated(.bot))) }
        }
        if random.chance(0.3) {
            let value = random.chance(0.7) ? random.int(in: 1...100) : -random.int(in: 1...100)
            events.append(make(.ratingCreated(value: value), message: "\(conversation)-m\(events.count - 1)",
                               conversationId: random.chance(0.8) ? conversation : nil))
        }
        return events
    }

    /// Model tokens for a message: most bot answers carry some, user messages fewer, and one message
    /// in eight carries none (a client that does not report them). Derived from the id, not drawn,
    /// so that adding tokens left every other generated field of a seed as it was.
    static func tokens(for kind: Event.Kind, id: String) -> Int? {
        guard case .messageCreated(let type) = kind else { return nil }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        guard hash % 8 != 0 else { return nil }
        let scale: UInt64 = type == .bot ? 900 : type == .user ? 120 : 40
        return Int((hash >> 8) % scale)
    }

    /// Returns a contact of the tenant: usually a returning one, sometimes a new one.
    private mutating func pickContact(tenant: Int) -> String? {
        if random.chance(0.05) { return nil }
        let known = contactsPerTenant[tenant]
        let ordinal: Int
        if known == 0 || random.chance(0.35) {
            ordinal = known
            contactsPerTenant[tenant] += 1
        } else {
            // Recent contacts return more often than old ones.
            let back = Swift.min(known - 1, Int(Double(known) * pow2(random.chance(0.5) ? 0.1 : 1.0)))
            ordinal = known - 1 - random.int(in: 0...Swift.max(0, back))
        }
        return "\(Self.tenantId(tenant))-contact-\(ordinal)"
    }

    private func pow2(_ x: Double) -> Double { x * x }
}
