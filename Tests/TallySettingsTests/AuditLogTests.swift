import Foundation
import GRDB
import Testing
import TallyDomain
import TallySettings

/// The audit log: entries chained by SHA-256, append-only by trigger, verified entry by entry,
/// committed with the change they record, and every text kept as data.
@Suite("Audit log")
struct AuditLogTests {
    static let operatorContext = AuditContext(actor: AuditActor(id: "key_0a1b2c3d4e5f", name: "ops", role: "admin"),
                                              requestId: "req-1", remoteAddress: "192.0.2.7")

    static func entry(_ n: Int64, target: String = "t", userId: String? = "tenant-1") -> AuditEntry {
        operatorContext.entry(.keyCreate, target: target, userId: userId, atMillis: 1_767_225_600_000 + n)
    }

    /// A store in a file, so the tests can open it with plain SQL as an attacker would.
    static func fileStore() throws -> (SettingsStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-audit-\(UUID().uuidString)").path
        return (try SettingsStore(dataDirectory: directory), SettingsStore.path(in: directory))
    }

    @Test("entries get sequence numbers 1, 2, 3 and each hash covers the previous one")
    func chain() throws {
        let store = try SettingsStore()
        let records = try (1...3).map { try store.appendAudit(Self.entry($0)) }
        #expect(records.map(\.sequence) == [1, 2, 3])
        #expect(records[0].previousHash == AuditChain.genesisHash)
        #expect(records[1].previousHash == records[0].entryHash)
        #expect(records[2].previousHash == records[1].entryHash)
        for record in records {
            let expected = SHA256.hex(Self.hexBytes(record.previousHash) + AuditChain.canonical(sequence: record.sequence, entry: record.entry))
            #expect(record.entryHash == expected)
        }
        let verification = try store.verifyAudit()
        #expect(verification.entries == 3 && verification.headSequence == 3 && verification.headHash == records[2].entryHash)
        #expect(verification.firstBreak == nil)
    }

    @Test("the canonical encoding is the documented one, byte for byte")
    func canonicalBytes() {
        let entry = AuditEntry(atMillis: 1_767_225_600_000, actor: AuditActor(id: "cli:ops", name: "ops"), userId: nil,
                               action: .storeRebuild, target: "a\nb", outcome: "success")
        let text = String(decoding: AuditChain.canonical(sequence: 7, entry: entry), as: UTF8.self)
        #expect(text == "tally-audit-v1\n1:7\n13:1767225600000\n7:cli:ops\n3:ops\n-\n-\n13:store.rebuild\n3:a\nb\n7:success\n-\n-\n")
        // A pinned hash: a change of the encoding or of SHA-256 shows here before it breaks a stored chain.
        #expect(AuditChain.hash(previousHash: AuditChain.genesisHash, sequence: 7, entry: entry)
            == SHA256.hex([UInt8](repeating: 0, count: 32) + Array(text.utf8)))
    }

    @Test("the triggers refuse UPDATE and DELETE of an entry")
    func appendOnly() throws {
        let (store, path) = try Self.fileStore()
        try store.appendAudit(Self.entry(1))
        let queue = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE audit_log SET target = 'x' WHERE seq = 1") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 1") } }
        #expect(try store.verifyAudit().isIntact)
    }

    @Test("a row altered with plain SQL, the trigger dropped, is named by verify")
    func tamperedRow() throws {
        let (store, path) = try Self.fileStore()
        for n: Int64 in 1...5 { try store.appendAudit(Self.entry(n, target: "key_\(n)")) }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET outcome = 'key_not_found' WHERE seq = 3")
        }
        let broken = try store.verifyAudit()
        #expect(broken.firstBreak?.sequence == 3)
        #expect(broken.firstBreak?.reason.contains("entry_hash") == true)
        #expect(broken.headSequence == 2)

        // An attacker who also recomputes that entry's hash breaks the link to the next one instead.
        let row = try #require(try store.auditEntries(AuditQuery(limit: 10)).items.first { $0.sequence == 3 })
        let forged = try #require(AuditChain.hash(previousHash: row.previousHash, sequence: 3, entry: row.entry))
        try queue.write { try $0.execute(sql: "UPDATE audit_log SET entry_hash = ? WHERE seq = 3", arguments: [forged]) }
        #expect(try store.verifyAudit().firstBreak?.sequence == 4)
    }

    @Test("a deleted entry in the middle of the log is named by the entry after the gap")
    func deletedRow() throws {
        let (store, path) = try Self.fileStore()
        for n: Int64 in 1...4 { try store.appendAudit(Self.entry(n)) }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE seq = 2")
        }
        let broken = try store.verifyAudit()
        #expect(broken.firstBreak?.sequence == 3)
        #expect(broken.firstBreak?.reason.contains("missing") == true)
    }

    @Test("a change and its entry commit together; a refused change is recorded with its error code and keeps nothing")
    func sameTransaction() throws {
        let store = try SettingsStore()
        let (key, _) = try store.createKey(name: "k", role: .reportViewer, userId: "tenant-9", audit: Self.operatorContext)
        try store.revokeKey(id: key.id, audit: Self.operatorContext)
        #expect(throws: SettingsError.self) { try store.revokeKey(id: key.id, audit: Self.operatorContext) }
        #expect(throws: SettingsError.self) { try store.revokeKey(id: "key_missing", audit: Self.operatorContext) }
        let items = try store.auditEntries(AuditQuery()).items.reversed().map(\.entry)
        #expect(items.map(\.action) == [.keyCreate, .keyRevoke, .keyRevoke, .keyRevoke])
        #expect(items.map(\.outcome) == ["success", "success", "key_already_revoked", "key_not_found"])
        #expect(items.map(\.target) == [key.id, key.id, key.id, "key_missing"])
        #expect(items[0].userId == "tenant-9" && items[1].userId == "tenant-9")
        #expect(items.allSatisfy { $0.actor.id == "key_0a1b2c3d4e5f" && $0.requestId == "req-1" && $0.remoteAddress == "192.0.2.7" })
        // Each accepted change is in the command log right before its entry: one transaction.
        #expect(try store.commands().map(\.command.type) == ["createKey", "appendAudit", "revokeKey", "appendAudit", "appendAudit", "appendAudit"])
        #expect(try store.verifyAudit().entries == 4)
    }

    @Test("appendAudit has a stable JSON encoding and decodes back to the same entry")
    func commandJSON() throws {
        let command = SettingsCommand.appendAudit(Self.entry(0, target: "key_0a1b2c3d4e5f", userId: nil))
        #expect(command.json() == #"{"action":"key.create","actorId":"key_0a1b2c3d4e5f","actorName":"ops","actorRole":"admin","atMillis":1767225600000,"outcome":"success","remoteAddress":"192.0.2.7","requestId":"req-1","target":"key_0a1b2c3d4e5f","type":"appendAudit"}"#)
        #expect(try SettingsCommand.decode(json: command.json()) == command)
    }

    @Test("hostile values (CR/LF, quotes, <script>, SQL) are stored and read back unchanged, and hash as data", arguments: [
        "a\r\nX-Injected: 1", #"" OR 1=1; --"#, "<script>alert('x')</script>", "'; DROP TABLE audit_log; --", "tab\there\u{1B}[31m",
    ])
    func hostile(value: String) throws {
        let store = try SettingsStore()
        let context = AuditContext(actor: AuditActor(id: "key_x", name: value, role: "admin"), requestId: value, remoteAddress: value)
        try store.appendAudit(context.entry(.reportDownload, target: value, userId: value))
        let stored = try #require(try store.auditEntries(AuditQuery(userId: value)).items.first).entry
        #expect(stored.target == value && stored.actor.name == value && stored.userId == value && stored.requestId == value)
        #expect(try store.verifyAudit().isIntact)
        let json = String(decoding: try JSONEncoder().encode(try store.auditEntries(AuditQuery())), as: UTF8.self)
        #expect(!json.contains("\r\n") && !json.contains("\n"))
    }

    @Test("a NUL, which SQLite text cannot hold, is stored as U+FFFD, and the chain holds")
    func nul() throws {
        let store = try SettingsStore()
        let record = try store.appendAudit(Self.operatorContext.entry(.reportDownload, target: "nul\u{0}byte"))
        #expect(record.entry.target == "nul\u{FFFD}byte")
        #expect(try store.verifyAudit().isIntact)
    }

    @Test("long values are cut to their limit on a character boundary")
    func limits() throws {
        let entry = Self.operatorContext.entry(.reportDownload, target: String(repeating: "é", count: 2000))
        #expect(entry.target.utf8.count == AuditEntry.maximumTargetBytes)
    }

    @Test("filters: since, until, action, actor, user_id, limit and offset, newest first, with the total")
    func filters() throws {
        let store = try SettingsStore()
        let cli = AuditContext(actor: .commandLine(user: "ops"))
        try store.appendAudit(cli.entry(.storeSnapshot, target: "s1", atMillis: 1_000))
        try store.appendAudit(Self.operatorContext.entry(.keyCreate, target: "k1", userId: "t1", atMillis: 2_000))
        try store.appendAudit(Self.operatorContext.entry(.keyRevoke, target: "k1", userId: "t1", atMillis: 3_000))
        try store.appendAudit(cli.entry(.tenantTimeZoneSet, target: "UTC", userId: "t2", atMillis: 4_000))
        func seqs(_ query: AuditQuery) throws -> [Int64] { try store.auditEntries(query).items.map(\.sequence) }
        #expect(try seqs(AuditQuery()) == [4, 3, 2, 1])
        #expect(try seqs(AuditQuery(sinceMillis: 2_000, untilMillis: 4_000)) == [3, 2])
        #expect(try seqs(AuditQuery(action: "key.create")) == [2])
        #expect(try seqs(AuditQuery(actor: "cli:ops")) == [4, 1])
        #expect(try seqs(AuditQuery(userId: "t1")) == [3, 2])
        let page = try store.auditEntries(AuditQuery(limit: 2, offset: 1))
        #expect(page.items.map(\.sequence) == [3, 2] && page.total == 4 && page.limit == 2 && page.offset == 1)
    }

    @Test("the query parser refuses unknown parameters and bad values with invalid_parameter", arguments: [
        ["userId": "t1"], ["since": "yesterday"], ["until": "2026-13-01"], ["limit": "0"], ["limit": "1001"], ["offset": "-1"],
        ["since": "2026-02-01", "until": "2026-01-01"], ["action": "a\nb"],
    ])
    func parserRefuses(parameters: [String: String]) {
        #expect(throws: AuditQuery.Invalid.self) { try AuditQuery.parse(names: parameters.keys) { parameters[$0] } }
    }

    @Test("the query parser reads every parameter")
    func parserReads() throws {
        let parameters = ["since": "2026-01-01", "until": "2026-01-02T00:00:00Z", "action": "key.create", "actor": "cli:ops",
                          "user_id": "t1", "limit": "5", "offset": "10"]
        let query = try AuditQuery.parse(names: parameters.keys) { parameters[$0] }
        #expect(query == AuditQuery(sinceMillis: 1_767_225_600_000, untilMillis: 1_767_312_000_000, action: "key.create", actor: "cli:ops",
                                    userId: "t1", limit: 5, offset: 10))
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }
}
