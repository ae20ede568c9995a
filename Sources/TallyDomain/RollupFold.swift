/// Folds events, one at a time, into the `RollupDelta` of a batch.
///
/// Every event is folded three times over (its tenant, its bot's slice, its channel's slice), and
/// the fold is most of the consuming thread's work. So it keys nothing by text while it runs:
/// each storage key and each contact or conversation id is numbered the first time the batch
/// names it, and every rollup is keyed by those numbers, which hash and compare as integers. An
/// event then costs one hash per identifier it carries, not one per rollup it touches. `delta()`
/// turns the numbers back into the keys the store writes, once per key, not per event.
public struct RollupFold: Sendable {
    /// A storage key's number (see `RollupScope`) in this fold.
    typealias Scope = Int32
    /// A contact or conversation id's number in this fold; contacts and conversations apart.
    typealias Name = Int32

    struct ScopeDay: Hashable {
        var scope: Scope
        var day: Int32
    }

    struct ScopeSetDay: Hashable {
        var scope: Scope
        var day: Int32
        var set: MemberSet
    }

    struct ScopeMember: Hashable {
        var scope: Scope
        var kind: MemberKind
        var name: Name
    }

    struct ScopeConversation: Hashable {
        var scope: Scope
        var name: Name
    }

    struct Slice: Hashable {
        var tenant: Scope
        var dimension: RollupScope.Dimension
        var value: String
    }

    public let clocks: TenantClocks
    /// Each scope's storage key, by number.
    private var scopeKeys: [String] = []
    private var tenantScopes: [String: Scope] = [:]
    private var sliceScopes: [Slice: Scope] = [:]
    /// The scopes of the previous event's tenant: consecutive events of one partition are mostly
    /// one tenant's, so a comparison usually saves the look-up.
    private var lastTenant: (id: String, scope: Scope)?
    private var contactNames = NameTable()
    private var conversationNames = NameTable()

    private var counters: [ScopeDay: DailyCounters] = [:]
    private var hourly: [ScopeDay: HourlyMessages] = [:]
    private var negativeRatings: [ScopeDay: [NegativeRating]] = [:]
    private var members: [ScopeSetDay: [Int32]] = [:]
    private var memberPositions: [ScopeMember: Int32] = [:]
    private var memberKeys: [ScopeMember] = []
    private var memberFirstDays: [Day] = []
    private var conversations: [ScopeConversation: RollupDelta.ConversationParts] = [:]
    public private(set) var eventCount = 0

    public init(clocks: TenantClocks = TenantClocks()) { self.clocks = clocks }

    public var isEmpty: Bool { eventCount == 0 }

    /// Folds one valid event into its tenant's rollups and into those of each slice it belongs
    /// to, in its tenant's local day and hour.
    public mutating func add(_ event: Event) {
        let (day, hour) = clocks.clock(forTenant: event.userId).dayAndHour(epochMillis: event.occurredAtMillis)
        let tenant = scope(ofTenant: event.userId)
        let contact = event.contactId.map { contactNames.number(of: $0) }
        let conversation = event.conversationId.map { (name: conversationNames.number(of: $0), state: ConversationState(event)) }
        add(event, day: day, hour: hour, scope: tenant, contact: contact, conversation: conversation, marks: SliceMarks(event))
        if let bot = event.botId {
            let slice = scope(of: Slice(tenant: tenant, dimension: .botId, value: bot))
            add(event, day: day, hour: hour, scope: slice, contact: contact, conversation: conversation, marks: .none)
            if let rating = NegativeRating(event) { negativeRatings[ScopeDay(scope: slice, day: day.number), default: []].append(rating) }
        }
        if let channel = event.channel {
            let slice = scope(of: Slice(tenant: tenant, dimension: .channel, value: channel))
            add(event, day: day, hour: hour, scope: slice, contact: contact, conversation: conversation, marks: .none)
        }
        eventCount += 1
    }

    /// - Parameter marks: what the event marks its conversation's part with (`SliceMarks`): its
    ///   bot and channel under its tenant's key, nothing under a slice's.
    private mutating func add(_ event: Event, day: Day, hour: Int, scope: Scope, contact: Name?,
                              conversation: (name: Name, state: ConversationState)?, marks: SliceMarks) {
        let scopeDay = ScopeDay(scope: scope, day: day.number)
        counters[scopeDay, default: DailyCounters()].count(event)
        if let contact {
            let position = position(of: ScopeMember(scope: scope, kind: .contact, name: contact), on: day)
            members[ScopeSetDay(scope: scope, day: day.number, set: .activeContacts), default: []].append(position)
        }
        guard let conversation else {
            if case .messageCreated = event.kind { hourly[scopeDay, default: HourlyMessages()].count(hour: hour) }
            return
        }
        let key = ScopeConversation(scope: scope, name: conversation.name)
        if conversations[key] != nil { conversations[key]!.merge(conversation.state, on: day, marks: marks) } else {
            conversations[key] = RollupDelta.ConversationParts(day: day, state: conversation.state, marks: marks)
        }
        guard case .messageCreated(let type) = event.kind else { return }
        hourly[scopeDay, default: HourlyMessages()].count(hour: hour)
        let position = position(of: ScopeMember(scope: scope, kind: .conversation, name: conversation.name), on: day)
        members[ScopeSetDay(scope: scope, day: day.number, set: .conversationsWithMessages), default: []].append(position)
        if let set = MemberSet.conversations(withMessagesOf: type) {
            members[ScopeSetDay(scope: scope, day: day.number, set: set), default: []].append(position)
        }
    }

    /// The position of `member` in `memberKeys`, added when new; keeps its earliest day.
    private mutating func position(of member: ScopeMember, on day: Day) -> Int32 {
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

    private mutating func scope(ofTenant tenant: String) -> Scope {
        if let lastTenant, lastTenant.id == tenant { return lastTenant.scope }
        let scope: Scope
        if let known = tenantScopes[tenant] { scope = known } else {
            scope = Scope(scopeKeys.count)
            scopeKeys.append(tenant)
            tenantScopes[tenant] = scope
        }
        lastTenant = (tenant, scope)
        return scope
    }

    private mutating func scope(of slice: Slice) -> Scope {
        if let known = sliceScopes[slice] { return known }
        let scope = Scope(scopeKeys.count)
        scopeKeys.append(RollupScope.key(tenant: scopeKeys[Int(slice.tenant)], slice.dimension, slice.value))
        sliceScopes[slice] = scope
        return scope
    }

    /// The fold so far, keyed as the store writes it.
    public func delta() -> RollupDelta {
        var delta = RollupDelta(clocks: clocks)
        func tenantDay(_ key: ScopeDay) -> RollupDelta.TenantDay { .init(tenant: scopeKeys[Int(key.scope)], day: Day(number: key.day)) }
        delta.counters = Dictionary(uniqueKeysWithValues: counters.map { (tenantDay($0.key), $0.value) })
        delta.hourly = Dictionary(uniqueKeysWithValues: hourly.map { (tenantDay($0.key), $0.value) })
        delta.negativeRatings = Dictionary(uniqueKeysWithValues: negativeRatings.map { (tenantDay($0.key), $0.value) })
        // Members space by space (storage key, then kind), which is how the store resolves them;
        // each set's positions follow them to their new places.
        let order = memberKeys.indices.sorted {
            (memberKeys[$0].scope, memberKeys[$0].kind.rawValue, $0) < (memberKeys[$1].scope, memberKeys[$1].kind.rawValue, $1)
        }
        var newPosition = [Int32](repeating: 0, count: order.count)
        for (position, old) in order.enumerated() { newPosition[old] = Int32(position) }
        delta.members = Dictionary(uniqueKeysWithValues: members.map {
            (RollupDelta.SetKey(tenant: scopeKeys[Int($0.key.scope)], day: Day(number: $0.key.day), set: $0.key.set), $0.value.map { newPosition[Int($0)] })
        })
        delta.memberKeys = order.map {
            let member = memberKeys[$0]
            return RollupDelta.MemberKey(tenant: scopeKeys[Int(member.scope)], kind: member.kind,
                                         member: member.kind == .contact ? contactNames.names[Int(member.name)] : conversationNames.names[Int(member.name)])
        }
        delta.memberFirstDays = order.map { memberFirstDays[$0] }
        delta.conversations = conversationsInKeyOrder()
        delta.eventCount = eventCount
        return delta
    }

    /// The conversations in key order (storage key, then conversation id; see `KeyOrder`), as the
    /// store visits them. Each key and each id is ranked once, so the sort compares integers.
    private func conversationsInKeyOrder() -> [(key: RollupDelta.TenantConversation, parts: RollupDelta.ConversationParts)] {
        let scopeRanks = KeyOrder.ranks(of: scopeKeys)
        let nameRanks = KeyOrder.ranks(of: conversationNames.names)
        let entries = conversations.map { (rank: UInt64(UInt32(scopeRanks[Int($0.key.scope)])) << 32 | UInt64(UInt32(nameRanks[Int($0.key.name)])),
                                           key: $0.key, parts: $0.value) }
        return entries.sorted { $0.rank < $1.rank }.map {
            (RollupDelta.TenantConversation(tenant: scopeKeys[Int($0.key.scope)], conversation: conversationNames.names[Int($0.key.name)]), $0.parts)
        }
    }
}
