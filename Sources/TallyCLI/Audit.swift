import ArgumentParser
import Foundation
import TallyDomain
import TallySettings

/// `tally audit`: read the tamper-evident audit log and check its hash chain.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and verify the audit log.",
        discussion: """
            Every key created or revoked, tenant setting changed, rebuild, dead-letter replay and \
            snapshot is an entry in <data-dir>/settings.sqlite: sequence number, time, actor (a key's \
            id, name and role, or cli:<user>), tenant, action, target, outcome, request id and remote \
            address. entry_hash = SHA-256(previous_hash || canonical entry), so an entry changed, \
            inserted or deleted inside the log breaks the chain there; `tally audit verify` names it.
            """,
        subcommands: [List.self, Verify.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show audit entries, newest first, with the filters of GET /api/v1/platform/audit.",
            discussion: """
                Columns: SEQ, TIME (UTC), ACTOR, ROLE, USER_ID, ACTION, TARGET, OUTCOME, REQUEST_ID, \
                REMOTE; non-printable characters are escaped (\\n, \\t, \\u{…}) so that a value can \
                never fake a line of its own. --json prints {"items", "total", "limit", "offset"} in \
                the route's shape.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Entries at or after this: YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time with offset.")
        var since: String?

        @Option(help: "Entries before this, in the same form.")
        var until: String?

        @Option(help: "Only this action, e.g. key.create, tenant.time_zone.set, store.rebuild.")
        var action: String?

        @Option(help: "Only this actor id: a key id or cli:<user>.")
        var actor: String?

        @Option(help: "Only entries about this tenant.")
        var userId: String?

        @Option(help: "Show at most this many (1 to 1000).")
        var limit: Int = AuditQuery.defaultLimit

        @Option(help: "Skip this many of the newest matches first.")
        var offset: Int = 0

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func query() throws -> AuditQuery {
            let values: [String: String] = [
                "since": since, "until": until, "action": action, "actor": actor, "user_id": userId,
                "limit": String(limit), "offset": String(offset),
            ].compactMapValues { $0 }
            do {
                return try AuditQuery.parse(names: values.keys) { values[$0] }
            } catch {
                // The parameters are named as the route names them; say which option that is.
                throw ValidationError(error.message.replacingOccurrences(of: "user_id", with: "--user-id"))
            }
        }

        func validate() throws { _ = try query() }

        func run() throws {
            let query = try query()
            let page = try Keys.settings(store).auditEntries(query)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(page), as: UTF8.self))
                return
            }
            print("SEQ\tTIME\tACTOR\tROLE\tUSER_ID\tACTION\tTARGET\tOUTCOME\tREQUEST_ID\tREMOTE")
            for record in page.items {
                let entry = record.entry
                print([
                    "\(record.sequence)", EventEncoder.timestamp(entry.atMillis), entry.actor.id, entry.actor.role ?? "-", entry.userId ?? "-",
                    entry.action.rawValue, entry.target, entry.outcome, entry.requestId ?? "-", entry.remoteAddress ?? "-",
                ].map(Self.printable).joined(separator: "\t"))
            }
            if page.total > query.offset + page.items.count {
                FileHandle.standardError.write(Data("showing \(page.items.count) of \(page.total); use --offset or narrow the filters for more\n".utf8))
            }
        }

        /// A value on one line: control characters and backslashes escaped.
        static func printable(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\\": out += "\\\\"
                default:
                    if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                        out += "\\u{\(String(scalar.value, radix: 16))}"
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain; name the first entry that does not match and exit 4.",
            discussion: """
                Prints the number of entries and the newest entry's sequence and hash. The chain cannot \
                show that its newest entries were cut off: keep the printed head somewhere else and \
                compare it later. Exits 4 when the chain is broken, naming the first entry that does \
                not follow from the ones before it; --json prints {"intact", "entries", \
                "headSequence", "headHash", "firstBreak"?: {"sequence", "reason"}}.
                """
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let result = try Keys.settings(store).verifyAudit()
            if json {
                var body: [String: Any] = ["intact": result.isIntact, "entries": result.entries, "headSequence": result.headSequence,
                                           "headHash": result.headHash]
                if let found = result.firstBreak { body["firstBreak"] = ["sequence": found.sequence, "reason": found.reason] }
                printJSON(body)
            } else if let found = result.firstBreak {
                print("audit log broken at entry \(found.sequence): \(found.reason)")
                print("entries 1 to \(result.headSequence) verified; head \(result.headHash)")
            } else {
                print("audit log intact: \(result.entries) entries; head \(result.headSequence) \(result.headHash)")
            }
            if let found = result.firstBreak {
                FileHandle.standardError.write(Data("audit_chain_broken: entry \(found.sequence): \(found.reason)\n".utf8))
                throw ExitCode(4)
            }
        }
    }
}
