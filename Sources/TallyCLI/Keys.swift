import ArgumentParser
import Foundation
import TallyDomain
import TallySettings

/// `tally keys`: create, list and revoke API keys in the settings store. Safe while `tally serve`
/// runs on the same data directory, and when started together with it on a new one.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.",
        discussion: """
            Keys live in <data-dir>/settings.sqlite, apart from the rollups: a rebuild, a switch of \
            rollup stores, a snapshot and a restore neither carry nor touch them. Only each key's SHA-256 \
            is stored; the secret is printed once, at creation. Keys an older version kept in \
            tally.sqlite are imported into settings.sqlite once, by the first command that opens it.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// The data directory's settings store, with older keys imported; what the import did goes to
    /// standard error, since standard output carries the secret or the listing.
    static func settings(_ options: StoreOptions) throws -> SettingsStore {
        let (settings, report) = try LegacyKeyImport.openSettings(dataDirectory: options.dataDirectory)
        let messages = report.messages
        if let notice = messages.notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
        if let warning = messages.warning { FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8)) }
        return settings
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret once.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Role: admin, report_admin, report_creator or report_viewer.")
        var role: String

        @Option(help: "Restrict the key to this tenant (userId); without it the key is platform-wide and fetches must name a userId.")
        var userId: String?

        @Option(help: "A label to recognise the key by.")
        var name: String = "api key"

        func validate() throws {
            guard ApiKey.Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(ApiKey.Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let userId, !Identifier.isValid(userId) {
                throw ValidationError("--user-id must be 1 to 128 characters without control characters")
            }
        }

        func run() throws {
            let (key, secret) = try Keys.settings(store).createKey(name: name, role: ApiKey.Role(rawValue: role)!, userId: userId,
                                                                         audit: .commandLine())
            print(secret)
            FileHandle.standardError.write(Data("created \(key.id) (\(key.role.rawValue)\(key.userId.map { ", userId \($0)" } ?? ", platform-wide")); the secret above is not shown again\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let keys = try Keys.settings(store).listKeys()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(keys), as: UTF8.self))
                return
            }
            print("ID\tROLE\tUSER_ID\tNAME\tCREATED\tSTATUS")
            for key in keys {
                let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(key.createdAtMillis) / 1000))
                print("\(key.id)\t\(key.role.rawValue)\t\(key.userId ?? "*")\t\(key.name)\t\(created)\t\(key.revokedAtMillis == nil ? "active" : "revoked")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id; it stops working at once.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The key id, as `tally keys list` shows it.")
        var id: String

        func run() throws {
            try Keys.settings(store).revokeKey(id: id, audit: .commandLine())
            print("revoked \(id)")
        }
    }
}
