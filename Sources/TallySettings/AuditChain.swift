import TallyDomain

/// The audit log's hash chain: the canonical bytes of an entry, and how each entry's hash covers
/// the one before it, so that changing, inserting or deleting an entry inside the log breaks the
/// chain at that entry.
///
/// **Canonical encoding, version 1.** The bytes `tally-audit-v1` and a line feed, then these eleven
/// fields in this order, each on its own "line":
/// `sequence`, `time` (ms since the epoch), `actor_id`, `actor_name`, `actor_role`, `user_id`,
/// `action`, `target`, `outcome`, `request_id`, `remote_address`.
/// A present field is its UTF-8 byte count in decimal, a colon, its bytes and a line feed
/// (`5:admin\n`); an absent one is `-\n`. Numbers are written in decimal, as text, with the same
/// prefix. The length prefix makes the encoding unambiguous whatever a value holds (line feeds,
/// colons, `-`), and keeps an empty value (`0:\n`) apart from an absent one.
///
/// `entry_hash = SHA-256(previous_hash ‖ canonical entry)`, where `previous_hash` is the previous
/// entry's hash as 32 raw bytes (32 zero bytes for the first entry) and the result is stored as 64
/// lowercase hex digits. The sequence number is inside the canonical bytes, so moving an entry to
/// another place in the chain changes its hash too.
///
/// These bytes never change meaning: another encoding would get a new version string.
public enum AuditChain {
    /// The `previous_hash` of entry 1.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical bytes of `entry` at `sequence`.
    public static func canonical(sequence: Int64, entry: AuditEntry) -> [UInt8] {
        var bytes = Array("tally-audit-v1\n".utf8)
        let fields: [String?] = [
            String(sequence), String(entry.atMillis), entry.actor.id, entry.actor.name, entry.actor.role, entry.userId,
            entry.action.rawValue, entry.target, entry.outcome, entry.requestId, entry.remoteAddress,
        ]
        for field in fields {
            guard let field else {
                bytes.append(contentsOf: "-\n".utf8)
                continue
            }
            let utf8 = Array(field.utf8)
            bytes.append(contentsOf: "\(utf8.count):".utf8)
            bytes.append(contentsOf: utf8)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// The hash of `entry` at `sequence` following `previousHash` (64 hex digits); nil when
    /// `previousHash` is not 64 hex digits, which no stored chain can follow.
    public static func hash(previousHash: String, sequence: Int64, entry: AuditEntry) -> String? {
        guard let previous = bytes(hex: previousHash) else { return nil }
        return SHA256.hex(previous + canonical(sequence: sequence, entry: entry))
    }

    /// Walks `records` (in sequence order, from the first entry) and returns the first that does
    /// not follow from the ones before it, with the reason; nil when the whole chain holds.
    /// `sequence` and `previousHash` say where the walk starts, for a chain checked in parts.
    public static func firstBreak(in records: some Sequence<AuditRecord>, from sequence: Int64 = 1,
                                  previousHash: String = AuditChain.genesisHash) -> AuditVerification.Break? {
        var expectedSequence = sequence
        var previousHash = previousHash
        for record in records {
            if record.sequence != expectedSequence {
                return .init(sequence: record.sequence, reason: "expected entry \(expectedSequence) here, found entry \(record.sequence): entries are missing or reordered")
            }
            if record.previousHash != previousHash {
                return .init(sequence: record.sequence, reason: "previous_hash does not match the hash of entry \(record.sequence - 1)")
            }
            guard let hash = hash(previousHash: previousHash, sequence: record.sequence, entry: record.entry), hash == record.entryHash else {
                return .init(sequence: record.sequence, reason: "entry_hash does not match the entry's contents: the entry was changed")
            }
            previousHash = record.entryHash
            expectedSequence += 1
        }
        return nil
    }

    /// RFC 3339 UTC with milliseconds, as every time Tally prints.
    static func timestamp(_ millis: Int64) -> String { EventEncoder.timestamp(millis) }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        default: nil
        }
    }
}
