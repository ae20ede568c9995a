import Foundation
import Testing
import TallyTestSupport
import TallyStore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A deployment script starts `tally serve` on a new data directory and creates its first key at
/// the same moment. Both processes find the store unmigrated; one must migrate it and the other
/// wait, and then both must work: the server serves, and the key it did not create is accepted.
@Suite("Concurrent first starts", .serialized)
struct ConcurrentStartTests {
    @Test("serve and two keys creates started together on a new data directory all succeed, every time")
    func serveAndKeysCreateTogether() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let rounds = Int(ProcessInfo.processInfo.environment["TALLY_CONCURRENT_START_ROUNDS"] ?? "") ?? 50
        var succeeded = 0
        for round in 0..<rounds {
            let dataDirectory = TestEnvironment.temporaryDirectory("first-start")
            defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", brokers, "--topics", "first-start-\(round)", "--data-dir", dataDirectory,
            ], logPath: dataDirectory + "-serve.log")
            defer { server.terminate() }
            // The script's first keys: an operator's and a dashboard's, created while serve starts.
            let keys = [("admin", "deploy"), ("report_viewer", "dashboard")].map { role, name in
                KeysCreate(binary: binary, dataDirectory: dataDirectory, role: role, name: name)
            }
            // Any of them may win the race; vary which one is started first.
            if round.isMultiple(of: 2) {
                try server.start()
                for key in keys { try key.start() }
            } else {
                for key in keys { try key.start() }
                try server.start()
            }
            var ok = true
            for key in keys {
                let (status, secret, log) = await OffPool.run { key.finish() }
                #expect(status == 0, "round \(round): keys create failed: \(log)")
                ok = ok && status == 0
                key.secret = secret
            }
            let port = try await server.waitForHTTPPort()
            #expect(server.isRunning, "round \(round): serve exited: \(server.logLines().suffix(5))")
            ok = ok && server.isRunning
            for key in keys {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/platform/report/list")!)
                request.setValue("Bearer \(key.secret)", forHTTPHeaderField: "Authorization")
                let (_, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode
                #expect(status == 200, "round \(round): the new key was answered with \(status.map(String.init) ?? "nothing")")
                ok = ok && status == 200
            }
            if ok { succeeded += 1 }
            await OffPool.run { server.terminate() }
            try? FileManager.default.removeItem(atPath: dataDirectory + "-serve.log")
        }
        #expect(succeeded == rounds)
        print("concurrent-start: \(succeeded) of \(rounds) rounds of serve + 2 keys create on a new data directory succeeded")
    }
}

/// One `tally keys create` child process.
private final class KeysCreate: @unchecked Sendable {
    let process = Process()
    let output = Pipe()
    let errors = Pipe()
    var secret = ""

    init(binary: String, dataDirectory: String, role: String, name: String) {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["keys", "create", "--data-dir", dataDirectory, "--role", role, "--name", name]
        process.standardOutput = output
        process.standardError = errors
    }

    func start() throws { try process.run() }

    /// Waits for the exit: the status, the printed secret and the log.
    func finish() -> (status: Int32, secret: String, log: String) {
        let secret = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, secret.trimmingCharacters(in: .whitespacesAndNewlines), log)
    }
}
