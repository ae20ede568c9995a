import GRDB
import TallyDomain

/// Maps one tenant's members of a scoped replay onto a store's own ordinals, by member identity,
/// giving members the store does not know the store's next ordinals.
///
/// Ordinals are dense per store and per tenant, so the same contact usually has different ordinals
/// in the replay and in the store; bitmaps must be renumbered before they move across.
struct MemberRenumbering {
    let tenant: String
    private var next: [MemberKind: UInt32] = [:]
    private var local: [MemberKind: [UInt32: UInt32]] = [:]
    /// Each replayed contact's first day inside the replayed range.
    private(set) var rebuiltFirstDays: [String: Int32] = [:]

    /// Adopts the replay's `members` rows of `tenant` into the store open on `db`.
    init(tenant: String, members: [Row], db: Database) throws {
        self.tenant = tenant
        for kind in MemberKind.allCases {
            let sequence = try Int64.fetchOne(db, sql: "SELECT next_ordinal FROM member_sequences WHERE tenant = ? AND kind = ?",
                                              arguments: [tenant, kind.rawValue]) ?? 0
            let highest = try Int64.fetchOne(db, sql: "SELECT MAX(ordinal) FROM members WHERE tenant = ? AND kind = ?",
                                             arguments: [tenant, kind.rawValue]).map { $0 + 1 } ?? 0
            next[kind] = UInt32(max(sequence, highest))
        }
        let find = try db.makeStatement(sql: "SELECT ordinal FROM members WHERE tenant = ? AND kind = ? AND member_id = ?")
        let insert = try db.makeStatement(sql: "INSERT INTO members (tenant, kind, member_id, ordinal, first_day) VALUES (?, ?, ?, ?, ?)")
        for row in members {
            let kind = try MemberKind(rawValue: row["kind"]).unwrapOrThrow("unknown member kind \(row["kind"] as Int)")
            let id: String = row["member_id"]
            let firstDay: Int32 = row["first_day"]
            let ordinal: UInt32
            if let known = try Int64.fetchOne(find, arguments: [tenant, kind.rawValue, id]) {
                ordinal = UInt32(known)
            } else {
                ordinal = next[kind]!
                next[kind] = ordinal + 1
                try insert.execute(arguments: [tenant, kind.rawValue, id, ordinal, firstDay])
            }
            local[kind, default: [:]][row["ordinal"] as UInt32] = ordinal
            if kind == .contact { rebuiltFirstDays[id] = firstDay }
        }
    }

    /// The store's ordinal for the member the replay numbered `ordinal`.
    func ordinal(ofRebuilt ordinal: UInt32, kind: MemberKind) -> UInt32? { local[kind]?[ordinal] }

    /// Moves a contact's first day, or removes the contact when no event of it is left (nothing
    /// refers to its ordinal any more, and the ordinal is never given out again).
    func setFirstDay(of contact: String, to day: Int32?, db: Database) throws {
        if let day {
            try db.execute(sql: "UPDATE members SET first_day = ? WHERE tenant = ? AND kind = ? AND member_id = ?",
                           arguments: [day, tenant, MemberKind.contact.rawValue, contact])
        } else {
            try db.execute(sql: "DELETE FROM members WHERE tenant = ? AND kind = ? AND member_id = ?",
                           arguments: [tenant, MemberKind.contact.rawValue, contact])
        }
    }

    /// Records the next ordinals, including those given out here.
    func saveSequences(db: Database) throws {
        for (kind, value) in next {
            try db.execute(sql: """
                INSERT INTO member_sequences (tenant, kind, next_ordinal) VALUES (?, ?, ?)
                ON CONFLICT (tenant, kind) DO UPDATE SET next_ordinal = excluded.next_ordinal
                """, arguments: [tenant, kind.rawValue, value])
        }
    }

    /// How many of the tenant's contacts were first seen on each day.
    func contactsPerFirstDay(db: Database) throws -> [Int32: Int64] {
        var result: [Int32: Int64] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT first_day, COUNT(*) FROM members WHERE tenant = ? AND kind = ? GROUP BY first_day",
                                       arguments: [tenant, MemberKind.contact.rawValue])
        while let row = try rows.next() { result[row[0]] = row[1] }
        return result
    }
}
