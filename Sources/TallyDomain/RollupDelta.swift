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
        /// Each part's marks, by position in `parts`: for a tenant's conversation, the bot and
        /// channel that all of the part's events carry (`SliceMarks`); none for a slice's.
        public private(set) var marks: [SliceMarks]

        init(day: Day, state: ConversationState, marks: SliceMarks) {
            parts = [(day, state)]
            self.marks = [marks]
        }

        mutating func merge(_ state: ConversationState, on day: Day, marks partMarks: SliceMarks) {
            if let index = parts.firstIndex(where: { $0.day == day }) {
                parts[index].state.merge(state)
                marks[index] = marks[index].meeting(partMarks)
            } else {
                parts.append((day, state))
                marks.append(partMarks)
            }
        }
    }

    public internal(set) var counters: [TenantDay: DailyCounters] = [:]
    /// Each member set's members, as positions in `memberKeys`. A member named twice in a set is
    /// listed twice; its bitmap takes it once. Positions, not identifiers, so that neither the fold
    /// nor the store hashes an identifier once per set and day it is in.
    public internal(set) var members: [SetKey: [Int32]] = [:]
    /// Every distinct member the batch names, each once, grouped by ordinal space (storage key,
    /// then kind): the store resolves each one's ordinal once, however many sets and days name it,
    /// one space at a time.
    public internal(set) var memberKeys: [MemberKey] = []
    /// The earliest day each of `memberKeys` was named on; for a contact, the day it may have been
    /// first seen (Total Contacts).
    public internal(set) var memberFirstDays: [Day] = []
    /// Messages per hour of each tenant-day the batch touches (Hourly Activity).
    public internal(set) var hourly: [TenantDay: HourlyMessages] = [:]
    /// Each bot's negative ratings in this batch, by the bot's slice key and day (Bot Negative Feedback).
    public internal(set) var negativeRatings: [TenantDay: [NegativeRating]] = [:]
    /// The state of each conversation's events in this batch, per day of those events, in key
    /// order (see `conversationsInKeyOrder()`); the store merges each into the stored state once
    /// per batch.
    var conversations: [(key: TenantConversation, parts: ConversationParts)] = []
    /// Events folded.
    public internal(set) var eventCount = 0
    /// The clock of each tenant, which decides the local day and hour every event counts in. The
    /// store folds again when a delta was made with other clocks than its own.
    public let clocks: TenantClocks

    /// Nothing folded.
    public init(clocks: TenantClocks = TenantClocks()) { self.clocks = clocks }

    /// The fold of `events`, each in its tenant's local day and hour (see `RollupFold`).
    public init(folding events: some Sequence<Event>, clocks: TenantClocks = TenantClocks()) {
        var fold = RollupFold(clocks: clocks)
        for event in events { fold.add(event) }
        self = fold.delta()
    }

    public var isEmpty: Bool { eventCount == 0 }

    /// The batch's conversations in key order (tenant, then conversation; see `KeyOrder`), as the
    /// store visits them. The fold sorts them on the consuming thread, which has time to spare, not
    /// the writer's.
    public func conversationsInKeyOrder() -> [(key: TenantConversation, parts: ConversationParts)] { conversations }
}
