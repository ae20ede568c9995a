/// The order in which a batch visits a B-tree keyed by text: the tree's own order.
///
/// A batch's conversations come out of a dictionary, in an order unrelated to their keys. Visited
/// so, they touch leaf pages all over the store's `conversation_states`, and most of those reads miss
/// SQLite's page cache; visited in key order, neighbouring rows share a page, which is read and
/// written once per batch. Only locality depends on this order, never a result: every row is still
/// looked up by its whole key.
public enum KeyOrder {
    /// A row's key as ingest sorts it: its tenant's rank, then its text's UTF-8 bytes (SQLite's
    /// BINARY collation), the first 16 as integers so that most comparisons stop there.
    struct Key: Comparable {
        var tenant: Int32
        var high: UInt64
        var low: UInt64
        var text: String
        var index: Int

        init(tenant: Int32, text: String, index: Int) {
            self.tenant = tenant
            self.text = text
            self.index = index
            var high: UInt64 = 0, low: UInt64 = 0, count = 0
            for byte in text.utf8.prefix(16) {
                if count < 8 { high |= UInt64(byte) << (56 - 8 * UInt64(count)) } else { low |= UInt64(byte) << (56 - 8 * UInt64(count - 8)) }
                count += 1
            }
            self.high = high
            self.low = low
        }

        static func < (a: Key, b: Key) -> Bool {
            if a.tenant != b.tenant { return a.tenant < b.tenant }
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            if a.text != b.text { return a.text.utf8.lexicographicallyPrecedes(b.text.utf8) }
            return a.index < b.index
        }

        static func == (a: Key, b: Key) -> Bool { a.tenant == b.tenant && a.text == b.text && a.index == b.index }
    }

    /// The positions of `rows` in key order, by each one's tenant and text; rows with equal keys
    /// keep their order.
    public static func sorted<Rows: RandomAccessCollection>(_ rows: Rows, tenant: (Rows.Element) -> String, text: (Rows.Element) -> String) -> [Int]
    where Rows.Index == Int {
        var ranks: [String: Int32] = [:]
        for row in rows { ranks[tenant(row), default: 0] = 0 }
        for (rank, name) in ranks.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() { ranks[name] = Int32(rank) }
        return rows.indices.map { Key(tenant: ranks[tenant(rows[$0])]!, text: text(rows[$0]), index: $0) }.sorted().map(\.index)
    }
}
