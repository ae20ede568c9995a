import Foundation
import GRDB
import TallyDomain

/// The member look-ups and inserts that ingest runs for every contact and conversation of a
/// batch, prepared once per transaction and bound in place (see `RawStatement`).
struct MemberStatements {
    private let select: RawStatement
    private let insert: RawStatement
    private let moveFirstDay: RawStatement
    private let sequence: RawStatement

    init(_ db: Database) throws {
        select = try RawStatement(db, "SELECT ordinal, first_day FROM members WHERE tenant = ? AND kind = ? AND member_id = ?")
        insert = try RawStatement(db, "INSERT INTO members (tenant, kind, member_id, ordinal, first_day) VALUES (?, ?, ?, ?, ?)")
        moveFirstDay = try RawStatement(db, "UPDATE members SET first_day = ? WHERE tenant = ? AND kind = ? AND member_id = ?")
        sequence = try RawStatement(db, "SELECT next_ordinal FROM member_sequences WHERE tenant = ? AND kind = ?")
    }

    /// The stored ordinal and first-seen day of a member, if it has one.
    func entry(_ member: String, in space: OrdinalCache.SpaceKey) throws -> OrdinalCache.Entry? {
        select.bind(1, space.tenant)
        select.bind(2, Int64(space.kind.rawValue))
        select.bind(3, member)
        guard try select.next() else { return nil }
        defer { select.reset() }
        return OrdinalCache.Entry(ordinal: UInt32(select.int64(0)), firstDay: Int32(select.int64(1)))
    }

    func insert(_ member: String, in space: OrdinalCache.SpaceKey, ordinal: UInt32, firstDay: Day) throws {
        insert.bind(1, space.tenant)
        insert.bind(2, Int64(space.kind.rawValue))
        insert.bind(3, member)
        insert.bind(4, Int64(ordinal))
        insert.bind(5, Int64(firstDay.number))
        try insert.run()
    }

    func moveFirstDay(_ member: String, in space: OrdinalCache.SpaceKey, to day: Day) throws {
        moveFirstDay.bind(1, Int64(day.number))
        moveFirstDay.bind(2, space.tenant)
        moveFirstDay.bind(3, Int64(space.kind.rawValue))
        moveFirstDay.bind(4, member)
        try moveFirstDay.run()
    }

    /// The next ordinal a tenant's members of a kind get (0 before the first).
    func nextOrdinal(_ space: OrdinalCache.SpaceKey) throws -> UInt32 {
        sequence.bind(1, space.tenant)
        sequence.bind(2, Int64(space.kind.rawValue))
        guard try sequence.next() else { return 0 }
        defer { sequence.reset() }
        return UInt32(sequence.int64(0))
    }
}
