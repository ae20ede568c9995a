import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// A checksum of every rollup of each tenant's day: its counters, hourly messages, conversation
    /// metrics (of the conversations starting that day), conversation states (of the events of that
    /// day) and the members (by identifier, not ordinal) of each of its member sets.
    ///
    /// Two stores built from the same events agree on every checksum even though they may have
    /// numbered members differently, which is what lets a rebuild be verified against the live store.
    public func rollupChecksums() throws(StoreError) -> [RollupDelta.TenantDay: UInt64] {
        try read { db in
            var memberHashes: [String: [[UInt64]]] = [:]
            let members = try Row.fetchCursor(db, sql: "SELECT tenant, kind, ordinal, member_id FROM members")
            while let row = try members.next() {
                let tenant: String = row[0]
                let kind: Int = row[1]
                let ordinal: Int = row[2]
                var perKind = memberHashes[tenant] ?? Array(repeating: [], count: MemberKind.allCases.count)
                if perKind[kind].count <= ordinal { perKind[kind].append(contentsOf: repeatElement(0, count: ordinal + 1 - perKind[kind].count)) }
                perKind[kind][ordinal] = Self.hash(row[3] as String)
                memberHashes[tenant] = perKind
            }

            var parts: [RollupDelta.TenantDay: [UInt64]] = [:]
            let counters = try Row.fetchCursor(db, sql: "SELECT * FROM daily_counters")
            while let row = try counters.next() {
                let key = RollupDelta.TenantDay(tenant: row["tenant"], day: Day(number: row["day"]))
                var values: [UInt64] = []
                for column in row.columnNames where column != "tenant" && column != "day" {
                    values.append(UInt64(bitPattern: row[column] as Int64))
                }
                parts[key, default: []].append(Self.combine(values))
            }
            // Hourly rows hash apart from the day's counters (a marker first), so that moving a
            // count between the tables cannot cancel out.
            let hourly = try Row.fetchCursor(db, sql: "SELECT * FROM hourly_messages")
            while let row = try hourly.next() {
                let key = RollupDelta.TenantDay(tenant: row["tenant"], day: Day(number: row["day"]))
                var values: [UInt64] = [0x686F_7572_6C79]
                for column in row.columnNames where column != "tenant" && column != "day" {
                    values.append(UInt64(bitPattern: row[column] as Int64))
                }
                parts[key, default: []].append(Self.combine(values))
            }
            // Conversation rows hash by value (histograms decoded, so only their counts matter),
            // each table under its own marker; states in conversation order, which both stores share.
            let metrics = try Row.fetchCursor(db, sql: "SELECT tenant, day, \(ConversationRows.metricsColumns) FROM conversation_metrics")
            while let row = try metrics.next() {
                let key = RollupDelta.TenantDay(tenant: row[0], day: Day(number: row[1]))
                let day = try ConversationRows.metrics(row, at: 2)
                var values: [UInt64] = [0x636F_6E76_6D65_74]
                values += day.depthCounts.map { UInt64(bitPattern: $0) }
                for histogram in [day.firstResponses, day.durations] {
                    values.append(UInt64(bitPattern: histogram.zeroCount))
                    for bucket in histogram.nonEmptyBuckets {
                        values += [UInt64(bucket.index), UInt64(bitPattern: bucket.count)]
                    }
                    values.append(0xFFFF_FFFF_FFFF_FFFF)
                }
                parts[key, default: []].append(Self.combine(values))
            }
            let states = try Row.fetchCursor(db, sql: """
                SELECT tenant, day, conversation_id, \(ConversationRows.stateColumns) FROM conversation_states ORDER BY tenant, day, conversation_id
                """)
            while let row = try states.next() {
                let key = RollupDelta.TenantDay(tenant: row[0], day: Day(number: row[1]))
                let state = try ConversationRows.state(row, at: 3)
                var values: [UInt64] = [0x636F_6E76_7374, Self.hash(row[2] as String)]
                for instant in [state.createdAt, state.firstEventAt, state.firstUserMessageAt, state.firstResponseAt, state.firstMessageAt, state.lastMessageAt] {
                    values.append(instant.map { UInt64(bitPattern: $0) } ?? 0x8000_0000_0000_0000)
                }
                values += [UInt64(bitPattern: state.userMessages), UInt64(bitPattern: state.messages), UInt64(bitPattern: state.tokens),
                           UInt64(bitPattern: state.botMessages), UInt64(bitPattern: state.thumbsUp), UInt64(bitPattern: state.thumbsDown)]
                values += state.botMessagesBeforeFirstUser.map { UInt64(bitPattern: $0) }
                parts[key, default: []].append(Self.combine(values))
            }
            let bitmaps = try Row.fetchCursor(db, sql: "SELECT tenant, set_kind, day, bitmap FROM daily_bitmaps ORDER BY tenant, day, set_kind")
            while let row = try bitmaps.next() {
                let tenant: String = row[0]
                let set = try MemberSet(rawValue: row[1]).unwrapOrThrow("unknown member set \(row[1] as Int)")
                let bitmap = try OrdinalBitmap(serialized: row[3] as Data)
                let hashes = memberHashes[tenant]?[set.memberKind.rawValue] ?? []
                var sum: UInt64 = 0
                for ordinal in bitmap.sorted() { sum &+= Int(ordinal) < hashes.count ? hashes[Int(ordinal)] : 0 }
                parts[RollupDelta.TenantDay(tenant: tenant, day: Day(number: row[2])), default: []]
                    .append(Self.combine([UInt64(set.rawValue), UInt64(bitmap.count), sum]))
            }
            // Negative ratings, a row each, behind a marker of their own.
            let ratings = try Row.fetchCursor(db, sql: """
                SELECT tenant, day, event_id, value, occurred_at, reason, conversation_id, message_id, contact_id
                FROM negative_ratings ORDER BY tenant, day, event_id
                """)
            while let row = try ratings.next() {
                let texts = [2, 5, 6, 7, 8].map { (row[$0] as String?).map(Self.hash) ?? 0 }
                parts[RollupDelta.TenantDay(tenant: row[0], day: Day(number: row[1])), default: []]
                    .append(Self.combine([0x6E65_6761_7469_7665, UInt64(bitPattern: row[3] as Int64), UInt64(bitPattern: row[4] as Int64)] + texts))
            }
            return parts.mapValues(Self.combine)
        }
    }

    /// FNV-1a over UTF-8, finished with a mixer so nearby strings spread.
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(value)
    }

    static func combine(_ values: [UInt64]) -> UInt64 {
        values.reduce(0x9E37_79B9_7F4A_7C15) { mix($0 ^ $1) }
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Optional {
    /// The value, or a corruption error: stored data that the code cannot read back.
    func unwrapOrThrow(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw StoreError(.corrupt, message()) }
        return self
    }
}
