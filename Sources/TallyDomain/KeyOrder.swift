/// The order in which a batch visits a B-tree keyed by text: the tree's own order.
///
/// A batch's conversations come out of a dictionary, in an order unrelated to their keys. Visited
/// so, they touch leaf pages all over the store's `conversation_states`, and most of those reads miss
/// SQLite's page cache; visited in key order, neighbouring rows share a page, which is read and
/// written once per batch. Only locality depends on this order, never a result: every row is still
/// looked up by its whole key.
public enum KeyOrder {
    /// A text as ingest sorts it: its UTF-8 bytes (SQLite's BINARY collation), the first 16 as
    /// integers so that most comparisons stop there.
    struct Key: Comparable {
        var high: UInt64
        var low: UInt64
        var text: String
        var index: Int

        init(text: String, index: Int) {
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
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            if a.text != b.text { return a.text.utf8.lexicographicallyPrecedes(b.text.utf8) }
            return a.index < b.index
        }

        static func == (a: Key, b: Key) -> Bool { a.text == b.text && a.index == b.index }
    }

    /// Each text's rank in key order (SQLite's BINARY collation); equal texts share no rank, so
    /// they must be distinct, as the names a fold numbers are.
    static func ranks(of texts: [String]) -> [Int32] {
        var ranks = [Int32](repeating: 0, count: texts.count)
        for (rank, key) in texts.indices.map({ Key(text: texts[$0], index: $0) }).sorted().enumerated() {
            ranks[key.index] = Int32(rank)
        }
        return ranks
    }
}
