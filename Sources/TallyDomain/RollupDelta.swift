/// The in-memory fold of one batch of events: what the batch adds to the rollups.
///
/// A batch is applied in a single SQLite transaction together with the offsets that produced it,
/// so the delta must be complete and self-contained. Member sets name raw identifiers (each once
/// per batch, in `memberKeys`); the store maps them to ordinals because only it knows which
/// identifiers it has seen before.
public struct RollupDelta: Sendable {
    /// Identifies one tenant's day.
    public struct TenantDay: Hashable, Sendable {
        public var tenant: String
        public var day: Day
        public init(tenant: String, day: Day) { self.tenant = tenant; self.day = day }
    }

    /// Identifies one member set of one tenant's day.
    public struct SetKey: Hashable, Sendable {
        public var tenant: String
        public var day: Day
        public var set: MemberSet
        public init(tenant: String, day: Day, set: MemberSet) { self.tenant = tenant; self.day = day; self.set = set }
    }

    /// One member of a tenant's (or a slice's) ordinal space: contacts and conversations are
    /// numbered apart.
    public struct MemberKey: Hashable, Sendable {
        public var tenant: String
        public var kind: MemberKind
        public var member: String
        public init(tenant: String, kind: MemberKind, member: String) { self.tenant = tenant; self.kind = kind; self.member = member }
    }

    /// One conversation of one tenant (or slice).
    public struct TenantConversation: Hashable, Sendable {
        public var tenant: String
        public var conversation: String
        public init(tenant: String, conversation: String) { self.tenant = tenant; self.conversation = conversation }
    }

    /// The state of one conversation's events in a batch, per day of those events (their own day,
    /// not the conversation's start day): the unit a conversation's state is stored and rebuilt in.
    /// Nearly always one day, so a list, not a dictionary.
    public struct ConversationParts: Sendable {
        public private(set) var parts: [(day: Day, state: ConversationState)]

        init(day: Day, state: ConversationState) { parts = [(day, state)] }

        mutating func merge(_ state: ConversationState, on day: Day) {
            if let index = parts.firstIndex(where: { $0.day == day }) { parts[index].state.merge(state) } else { parts.append((day, state)) }
        }
    }

    public private(set) var counters: [TenantDay: DailyCounters] = [:]
    /// Each member set's members, as positions in `memberKeys`. A member named twice in a set is
    /// listed twice; its bitmap takes it once. Positions, not identifiers, so that neither the fold
    /// nor the store hashes an identifier once per set and day it is in.
    public private(set) var members: [SetKey: [Int32]] = [:]
    /// Every distinct member the batch names, each once, in the order first named: the store
    /// resolves each one's ordinal once, however many sets and days name it.
    public private(set) var memberKeys: [MemberKey] = []
    /// The earliest day each of `memberKeys` was named on; for a contact, the day it may have been
    /// first seen (Total Contacts).
    public private(set) var memberFirstDays: [Day] = []
    private var memberPositions: [MemberKey: Int32] = [:]
    /// Messages per hour of each tenant-day the batch touches (Hourly Activity).
    public private(set) var hourly: [TenantDay: HourlyMessages] = [:]
    /// Each bot's negative ratings in this batch, by the bot's slice key and day (Bot Negative Feedback).
    public private(set) var negativeRatings: [TenantDay: [NegativeRating]] = [:]
    /// The state of each conversation's events in this batch, per day of those events; the store
    /// merges each into the stored state once per batch.
    public private(set) var conversations: [TenantConversation: ConversationParts] = [:]
    /// Events folded so far.
    public private(set) var eventCount = 0
    /// The clock of each tenant, which decides the local day and hour every event counts in. The
    /// store folds again when a delta was made with other clocks than its own.
    public let clocks: TenantClocks

    public init(clocks: TenantClocks = TenantClocks()) { self.clocks = clocks }

    /// The fold of `events`, each in its tenant's local day and hour.
    public init(folding events: some Sequence<Event>, clocks: TenantClocks = TenantClocks()) {
        self.clocks = clocks
        for event in events { add(event) }
    }

    public var isEmpty: Bool { eventCount == 0 }

    /// `conversations` in key order (tenant, then conversation; see `KeyOrder`), as the store
    /// visits them. Ingest sorts on the consuming thread, which has time to spare, not the writer's.
    public func conversationsInKeyOrder() -> [(key: TenantConversation, parts: ConversationParts)] {
        let entries = conversations.map { (key: $0.key, parts: $0.value) }
        return KeyOrder.sorted(entries, tenant: \.key.tenant, text: \.key.conversation).map { entries[$0] }
    }

    /// Folds one valid event into the delta: into its tenant's rollups and into those of each
    /// slice it belongs to (see `RollupScope`).
    /// The event's local day and hour on its tenant's clock: one dictionary look-up and a binary
    /// search over the zone's transitions, nothing when every tenant is in UTC.
    public mutating func add(_ event: Event) {
        let (day, hour) = clocks.clock(forTenant: event.userId).dayAndHour(epochMillis: event.occurredAtMillis)
        add(event, day: day, hour: hour, as: event.userId)
        if let bot = event.botId {
            let key = RollupScope.key(tenant: event.userId, .botId, bot)
            add(event, day: day, hour: hour, as: key)
            if let rating = NegativeRating(event) { negativeRatings[TenantDay(tenant: key, day: day), default: []].append(rating) }
        }
        if let channel = event.channel { add(event, day: day, hour: hour, as: RollupScope.key(tenant: event.userId, .channel, channel)) }
        eventCount += 1
    }

    /// Folds `event` into the rollups kept under `tenant`, a tenant's or a slice's storage key.
    private mutating func add(_ event: Event, day: Day, hour: Int, as tenant: String) {
        let tenantDay = TenantDay(tenant: tenant, day: day)
        counters[tenantDay, default: DailyCounters()].count(event)
        if let contact = event.contactId {
            let position = position(of: MemberKey(tenant: tenant, kind: .contact, member: contact), on: day)
            members[SetKey(tenant: tenant, day: day, set: .activeContacts), default: []].append(position)
        }
        if case .messageCreated = event.kind {
            hourly[tenantDay, default: HourlyMessages()].count(hour: hour)
        }
        if let conversation = event.conversationId {
            let key = TenantConversation(tenant: tenant, conversation: conversation)
            let state = ConversationState(event)
            if conversations[key] != nil { conversations[key]!.merge(state, on: day) } else { conversations[key] = ConversationParts(day: day, state: state) }
        }
        if case .messageCreated(let type) = event.kind, let conversation = event.conversationId {
            let position = position(of: MemberKey(tenant: tenant, kind: .conversation, member: conversation), on: day)
            members[SetKey(tenant: tenant, day: day, set: .conversationsWithMessages), default: []].append(position)
            if let set = MemberSet.conversations(withMessagesOf: type) {
                members[SetKey(tenant: tenant, day: day, set: set), default: []].append(position)
            }
        }
    }

    /// The position of `member` in `memberKeys`, added when new; keeps its earliest day.
    private mutating func position(of member: MemberKey, on day: Day) -> Int32 {
        if let position = memberPositions[member] {
            if day < memberFirstDays[Int(position)] { memberFirstDays[Int(position)] = day }
            return position
        }
        let position = Int32(memberKeys.count)
        memberPositions[member] = position
        memberKeys.append(member)
        memberFirstDays.append(day)
        return position
    }
}
