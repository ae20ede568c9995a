import Foundation
import GRDB
import Testing
import TallyDomain
@testable import TallyStore
import TallyTestSupport

/// A partial rebuild's transplant: a store built from events, then damaged, takes the rollups of a
/// scoped replay of the same events. Inside the scope every report must be exact again (checked
/// against the oracle and against the checksums of a clean store); outside it, the damage must
/// still be there, since a partial rebuild keeps everything it was not asked to rebuild.
@Suite("Partial rebuild transplant")
struct TransplantTests {
    static let end = Day(year: 2026, month: 3, day: 2)!

    /// A new on-disk store holding `events`.
    static func store(_ events: [Event], seed: UInt64 = 3) throws -> TallyStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-transplant-\(UUID().uuidString)").path
        let store = try TallyStore(dataDirectory: directory)
        try StoreReportTests.apply(events, to: store, seed: seed)
        return store
    }

    /// What a scoped replay of `events` records: the in-scope events only.
    static func replay(_ events: [Event], _ scope: RebuildScope) throws -> TallyStore {
        try store(events.filter { scope.contains(tenant: $0.userId, day: $0.day) }, seed: 9)
    }

    static func execute(_ store: TallyStore, _ sql: String, _ arguments: StatementArguments = []) throws {
        try store.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// Damages rows of `tenant` on `day`: a counter, a member set, and the day's seen events.
    static func corrupt(_ store: TallyStore, tenant: String, day: Day) throws {
        try execute(store, "UPDATE daily_counters SET messages = messages + 7, ratings = ratings + 1 WHERE tenant = ? AND day = ?", [tenant, day.number])
        try execute(store, "DELETE FROM daily_bitmaps WHERE tenant = ? AND day = ? AND set_kind = ?", [tenant, day.number, MemberSet.conversationsWithMessages.rawValue])
    }

    /// The tenant-days whose checksums differ between two stores, readable in a failure message.
    static func differing(_ store: TallyStore, _ reference: TallyStore) throws -> Set<String> {
        let left = try store.rollupChecksums()
        let right = try reference.rollupChecksums()
        return Set(Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.map { "\($0.tenant) \($0.day.iso)" })
    }

    /// Compares every report of `tenants` with the oracle over several windows; returns the mismatches.
    static func mismatches(_ store: TallyStore, _ oracle: ReportOracle, tenants: [String], ends: [Day], periods: [Int] = [1, 7, 30]) throws -> [String] {
        var found: [String] = []
        for tenant in tenants {
            for end in ends {
                for periodDays in periods {
                    for report in ReportCatalog.all {
                        let actual = ReportOracle.Expected(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: end)))
                        let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
                        if !(expected.map(actual.agrees(with:)) ?? false) {
                            found.append("\(report.name) \(tenant) \(periodDays)d to \(end.iso)")
                        }
                    }
                }
            }
        }
        return found
    }

    @Test("--tenant: the tenant's rows become the replay's; other tenants' damage stays")
    func tenantScope() throws {
        let events = Array(TrafficGenerator(seed: 21, tenants: 3, days: 30, endDay: Self.end, total: 6_000))
        let clean = try Self.store(events)
        let live = try Self.store(events)
        for tenant in ["tenant-1", "tenant-2"] { try Self.corrupt(live, tenant: tenant, day: Self.end.advanced(by: -3)) }
        // Contacts' first days and the dedupe state of the rebuilt tenant are replaced too.
        try Self.execute(live, "UPDATE members SET first_day = first_day + 2 WHERE tenant = 'tenant-2' AND kind = 0 AND ordinal < 5")
        try Self.execute(live, "DELETE FROM members WHERE tenant = 'tenant-2' AND kind = 1 AND ordinal % 7 = 0")
        let scope = RebuildScope(tenant: "tenant-2")

        let outside = try live.transplant(scope, from: try Self.replay(events, scope))

        #expect(outside.isEmpty)
        let oracle = ReportOracle(events: events)
        let ends = [Self.end, Self.end.advanced(by: -3), Self.end.advanced(by: -12)]
        #expect(try Self.mismatches(live, oracle, tenants: ["tenant-2", "tenant-3"], ends: ends) == [])
        #expect(!(try Self.mismatches(live, oracle, tenants: ["tenant-1"], ends: [Self.end.advanced(by: -3)])).isEmpty)
        #expect(try Self.differing(live, clean) == ["tenant-1 \(Self.end.advanced(by: -3).iso)"])
        // Ingest goes on into the transplanted store with the right ordinals.
        let more = Array(TrafficGenerator(seed: 22, tenants: 3, days: 2, endDay: Self.end, total: 800))
        try live.apply(IngestBatch(events: more))
        #expect(try Self.mismatches(live, ReportOracle(events: events + more), tenants: ["tenant-2", "tenant-3"], ends: [Self.end]) == [])
    }

    @Test("--from-date/--to-date: contacts first seen before, inside and after the range keep exact Total Contacts")
    func dateRangeScope() throws {
        let first = Self.end.advanced(by: -20)
        let last = Self.end.advanced(by: -10)
        func event(_ id: String, _ day: Day, contact: String, tenant: String = "tenant-1") -> Event {
            Event(id: id, kind: .messageCreated(.user), userId: tenant, occurredAtMillis: Int64(day.number) * 86_400_000 + 60_000,
                  conversationId: "conv-\(id)", contactId: contact)
        }
        let generated = Array(TrafficGenerator(seed: 41, tenants: 3, days: 40, endDay: Self.end, total: 8_000))
        let both = [
            event("old-1", first.advanced(by: -5), contact: "old-timer"), event("old-2", first.advanced(by: 3), contact: "old-timer"),
            event("late-2", last.advanced(by: 4), contact: "late-bird"),
            event("ghost-2", last.advanced(by: 2), contact: "ghost"), event("ghost-3", last.advanced(by: 6), contact: "ghost"),
        ]
        // In the topics only: the live store missed them (first seen after the range, it thinks).
        let missed = [event("late-1", first.advanced(by: 1), contact: "late-bird"), event("new-1", last, contact: "newcomer")]
        // In the live store only: counts no topic explains, inside the range.
        let strays = [event("ghost-1", first.advanced(by: 2), contact: "ghost"), event("phantom-1", first, contact: "phantom")]
        let events = generated + both + missed
        let clean = try Self.store(events)
        let live = try Self.store(generated + both + strays)
        try Self.corrupt(live, tenant: "tenant-2", day: first.advanced(by: 4))
        try Self.corrupt(live, tenant: "tenant-3", day: last.advanced(by: 1))  // outside: stays
        try Self.corrupt(live, tenant: "tenant-3", day: first.advanced(by: -1))  // outside: stays
        let scope = RebuildScope(firstDay: first, lastDay: last)

        let outside = try live.transplant(scope, from: try Self.replay(events, scope))

        // late-bird's first day moved into the range, ghost's out of it.
        #expect(outside == [RollupDelta.TenantDay(tenant: "tenant-1", day: last.advanced(by: 4)), RollupDelta.TenantDay(tenant: "tenant-1", day: last.advanced(by: 2))])
        let oracle = ReportOracle(events: events)
        let ends = [Self.end, last, last.advanced(by: 3), first.advanced(by: 2), first.advanced(by: -2)]
        #expect(try Self.mismatches(live, oracle, tenants: ["tenant-1", "tenant-2"], ends: ends) == [])
        #expect(try Self.differing(live, clean) == ["tenant-3 \(last.advanced(by: 1).iso)", "tenant-3 \(first.advanced(by: -1).iso)"])
        #expect(try live.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM members WHERE member_id = 'phantom'") } == 0)
    }

    @Test("--tenant with --to-date: only that tenant's days up to the date are replaced")
    func tenantAndDateScope() throws {
        let events = Array(TrafficGenerator(seed: 31, tenants: 2, days: 20, endDay: Self.end, total: 4_000))
        let clean = try Self.store(events)
        let live = try Self.store(events)
        let last = Self.end.advanced(by: -6)
        for day in [last, Self.end.advanced(by: -15)] {
            for tenant in ["tenant-1", "tenant-2"] { try Self.corrupt(live, tenant: tenant, day: day) }
        }
        try Self.corrupt(live, tenant: "tenant-1", day: Self.end.advanced(by: -2))
        let scope = RebuildScope(tenant: "tenant-1", lastDay: last)

        try live.transplant(scope, from: try Self.replay(events, scope))

        #expect(try Self.differing(live, clean) == [
            "tenant-1 \(Self.end.advanced(by: -2).iso)", "tenant-2 \(last.iso)", "tenant-2 \(Self.end.advanced(by: -15).iso)",
        ])
        #expect(try Self.mismatches(live, ReportOracle(events: events), tenants: ["tenant-1"], ends: [last, last.advanced(by: -5)]) == [])
    }

    @Test("--from-date: history older than the topics survives, Total Contacts exact")
    func historyOlderThanTheTopics() throws {
        let from = Self.end.advanced(by: -29)
        // The topics' retention dropped everything before `from`; the live store still counts it.
        let history = Array(TrafficGenerator(seed: 51, tenants: 2, days: 30, endDay: from.advanced(by: -1), total: 4_000))
        let retained = Array(TrafficGenerator(seed: 52, tenants: 2, days: 30, endDay: Self.end, total: 4_000))
        #expect(history.allSatisfy { $0.day < from } && retained.allSatisfy { $0.day >= from })
        let live = try Self.store(history + retained)
        try Self.corrupt(live, tenant: "tenant-1", day: Self.end.advanced(by: -2))
        try Self.execute(live, "UPDATE daily_counters SET new_contacts = new_contacts + 3 WHERE tenant = 'tenant-2' AND day = ?", [Self.end.advanced(by: -9).number])
        let scope = RebuildScope(firstDay: from)

        try live.transplant(scope, from: try Self.replay(retained, scope))

        let oracle = ReportOracle(events: history + retained)
        let ends = [Self.end, Self.end.advanced(by: -9), from, from.advanced(by: -1), from.advanced(by: -15)]
        #expect(try Self.mismatches(live, oracle, tenants: ["tenant-1", "tenant-2"], ends: ends, periods: [1, 7, 30, 60]) == [])
        #expect(try Self.differing(live, try Self.store(history + retained)) == [])
    }
}
