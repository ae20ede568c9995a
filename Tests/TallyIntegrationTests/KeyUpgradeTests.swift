import Foundation
import GRDB
import Testing
import TallyTestSupport
import TallySettings
import TallyStore

/// A data directory written by a version that kept API keys in the rollup store: the first
/// `tally keys` or `tally serve` imports them into `settings.sqlite` once, as logged commands, the
/// old secrets keep working, and the rollup store is left without them.
@Suite("Upgrade import of keys from the rollup store", .serialized)
struct KeyUpgradeTests {
    /// Three keys as the old `tally keys create` and `revoke` wrote them: secrets in today's format.
    static let oldKeys: [(id: String, role: String, userId: String?, secret: String, createdAt: Int64, revokedAt: Int64?)] = [
        ("key_0000000000a1", "admin", nil, "tly_" + String(repeating: "a1", count: 24), 1_700_000_000_000, nil),
        ("key_0000000000b2", "report_viewer", "tenant-1", "tly_" + String(repeating: "b2", count: 24), 1_700_000_001_000, nil),
        ("key_0000000000c3", "admin", nil, "tly_" + String(repeating: "c3", count: 24), 1_700_000_002_000, 1_700_000_003_000),
    ]

    /// A rollup store holding `oldKeys` in its `api_keys` table, written with the old code's SQL.
    static func oldDataDirectory(_ label: String) throws -> String {
        let dataDirectory = TestEnvironment.temporaryDirectory(label)
        // The schema is what every released version created (the `v1-api-keys` migration is unchanged).
        _ = try TallyStore(dataDirectory: dataDirectory)
        let database = try DatabaseQueue(path: (dataDirectory as NSString).appendingPathComponent(TallyStore.fileName))
        try database.write { db in
            for key in oldKeys {
                try db.execute(sql: "INSERT INTO api_keys (id, name, role, user_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [key.id, "old \(key.id)", key.role, key.userId, KeySecrets.sha256(key.secret), key.createdAt])
                if let revokedAt = key.revokedAt {
                    try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [revokedAt, key.id])
                }
            }
        }
        try database.close()
        #expect(!FileManager.default.fileExists(atPath: SettingsStore.path(in: dataDirectory)))
        return dataDirectory
    }

    @Test("the first keys command imports old keys once as commands; serve then accepts their secrets")
    func importThenServe() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let dataDirectory = try Self.oldDataDirectory("key-upgrade")
        defer {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            try? FileManager.default.removeItem(atPath: dataDirectory + "-serve.log")
        }

        let first = try TallyCommand.run(binary, ["keys", "list", "--json", "--data-dir", dataDirectory])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("imported 3 API keys (1 revoked) from the rollup store into settings.sqlite"), "\(first.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["id"] as? String } == Self.oldKeys.reversed().map(\.id), "newest first, as before")
        #expect(listed.map { $0["revokedAtMillis"] != nil } == [true, false, false])
        #expect(listed.first { $0["id"] as? String == "key_0000000000b2" }?["userId"] as? String == "tenant-1")

        // Imported as ordinary commands, in their original order; the rollup store no longer has them.
        let settings = try SettingsStore(dataDirectory: dataDirectory)
        #expect(try settings.commands().map(\.command.type) == ["createKey", "createKey", "createKey", "revokeKey"])
        #expect(try TallyStore(dataDirectory: dataDirectory).retiredApiKeys().isEmpty)
        let again = try TallyCommand.run(binary, ["keys", "list", "--data-dir", dataDirectory])
        #expect(again.status == 0 && !again.stderr.contains("imported"), "\(again.stderr)")
        #expect(try settings.commands().count == 4)

        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", "key-upgrade-unused", "--data-dir", dataDirectory,
        ], logPath: dataDirectory + "-serve.log")
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()
        #expect(try await HTTPFetch.status(port: port, secret: Self.oldKeys[0].secret) == 200)
        #expect(try await HTTPFetch.status(port: port, secret: Self.oldKeys[1].secret) == 200)
        #expect(try await HTTPFetch.status(port: port, secret: Self.oldKeys[2].secret) == 401, "a key revoked before the upgrade stays revoked")

        // Revoking an imported key works like revoking any other, and an unknown id is a clear error.
        let revoked = try TallyCommand.run(binary, ["keys", "revoke", "--data-dir", dataDirectory, Self.oldKeys[0].id])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try await HTTPFetch.status(port: port, secret: Self.oldKeys[0].secret) == 401)
        let unknown = try TallyCommand.run(binary, ["keys", "revoke", "--data-dir", dataDirectory, "key_ffffffffffff"])
        #expect(unknown.status != 0 && unknown.stderr.contains("key_not_found"), "\(unknown.stderr)")
    }

    @Test("serve and two keys commands started together on an old data directory import once, every time")
    func concurrentImport() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let rounds = Int(ProcessInfo.processInfo.environment["TALLY_KEY_UPGRADE_ROUNDS"] ?? "") ?? 10
        var succeeded = 0
        for round in 0..<rounds {
            let dataDirectory = try Self.oldDataDirectory("key-upgrade-race")
            let logPath = dataDirectory + "-serve.log"
            defer {
                try? FileManager.default.removeItem(atPath: dataDirectory)
                try? FileManager.default.removeItem(atPath: logPath)
            }
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", brokers, "--topics", "key-upgrade-race-\(round)", "--data-dir", dataDirectory,
            ], logPath: logPath, logLevel: "notice")
            defer { server.terminate() }
            // Any of them may win the race; vary which one is started first.
            var lists: [() -> TallyCommand.Outcome] = []
            if round.isMultiple(of: 2) { try server.start() }
            for _ in 0..<2 { lists.append(Self.start(binary, ["keys", "list", "--data-dir", dataDirectory])) }
            if !round.isMultiple(of: 2) { try server.start() }
            let outcomes = await OffPool.run { lists.map { $0() } }
            let port = try await server.waitForHTTPPort()

            let settings = try SettingsStore(dataDirectory: dataDirectory)
            let importers = outcomes.filter { $0.stderr.contains("imported 3 API keys") }.count
                + server.logLines().filter { $0.contains("imported 3 API keys") }.count
            let commands = try settings.commands().count
            let accepted = try await HTTPFetch.status(port: port, secret: Self.oldKeys[1].secret)
            #expect(outcomes.allSatisfy { $0.status == 0 }, "round \(round): \(outcomes.map(\.stderr))")
            #expect(importers == 1, "round \(round): \(importers) processes imported")
            #expect(commands == 4, "round \(round): \(commands) commands logged")
            #expect(accepted == 200, "round \(round)")
            #expect(try TallyStore(dataDirectory: dataDirectory).retiredApiKeys().isEmpty)
            if outcomes.allSatisfy({ $0.status == 0 }), importers == 1, commands == 4, accepted == 200 { succeeded += 1 }
            await OffPool.run { server.terminate() }
        }
        #expect(succeeded == rounds)
        print("key-upgrade: \(succeeded) of \(rounds) rounds of serve + 2 keys list on an old data directory imported exactly once")
    }

    /// Starts the binary and returns a function that waits for it.
    static func start(_ binary: String, _ arguments: [String]) -> () -> TallyCommand.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return { TallyCommand.Outcome(status: -1, stdout: "", stderr: "\(error)") } }
        return {
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return TallyCommand.Outcome(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                                        stderr: String(decoding: err, as: UTF8.self))
        }
    }
}
