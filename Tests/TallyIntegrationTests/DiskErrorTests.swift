import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

extension FaultInjectionTests {
    /// Disks fail in two ways that matter to Tally. At start, a data directory that cannot hold a
    /// store must stop the process at once with a stable code, not leave a server answering
    /// nothing. While running, a full disk must pause ingest without crashing, without stopping
    /// the reports, and above all without recording as consumed anything it did not store; when
    /// space returns, ingest resumes by itself and ends exactly at the oracle's counts.
    ///
    /// Real file systems, not fakes: a path under a regular file, read-only and tiny tmpfs mounts
    /// (the tests run as root; a machine that cannot mount fails them with a clear message).
    @Suite("Disk errors", .serialized)
    struct DiskErrorTests {
        @Test("a data directory that cannot hold a store makes serve exit non-zero at once with store_cannot_open")
        func unusableDataDirectory() async throws {
            let brokers = try TestEnvironment.brokers()
            let binary = try TestEnvironment.tallyBinary()
            let workDirectory = TestEnvironment.temporaryDirectory("disk-open")
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: workDirectory) }

            // 1. A path below a regular file: the directory can never be created.
            let file = workDirectory + "/not-a-directory"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            // 2. An empty read-only file system: the store file cannot be created.
            let readOnly = try TmpfsMount(label: "disk-ro", sizeKiB: 1024, readOnly: true)
            defer { readOnly.unmount() }
            // 3. A valid store on a file system that became read-only: it cannot be opened for writing.
            let remounted = try TmpfsMount(label: "disk-remounted-ro", sizeKiB: 4096)
            defer { remounted.unmount() }
            _ = try TallyStore(dataDirectory: remounted.path)
            _ = try TestEnvironment.adminSecret(dataDirectory: remounted.path)
            try remounted.remount("ro")

            let cases = [("under a regular file", file + "/data"), ("on a read-only tmpfs", readOnly.path),
                         ("an existing store remounted read-only", remounted.path)]
            var slowest = 0
            for (index, (name, dataDirectory)) in cases.enumerated() {
                let server = ServerProcess(binary: binary, arguments: [
                    "serve", "--brokers", brokers, "--topics", "disk-open-unused", "--data-dir", dataDirectory,
                ], logPath: workDirectory + "/serve-\(index).log")
                defer { server.terminate() }
                let started = ContinuousClock.now
                try server.start()
                let exited = await server.waitForExit(timeout: .seconds(5))
                let elapsed = ContinuousClock.now - started
                slowest = max(slowest, Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
                let log = server.logLines().joined(separator: "\n")
                #expect(exited, "\(name): tally serve still running 5 s after start; log: \(log)")
                let status = server.exitStatus
                #expect(status != nil && status != 0, "\(name): exit status \(status.map(String.init) ?? "none"), want non-zero")
                #expect(log.contains("store_cannot_open"), "\(name): no store_cannot_open in: \(log)")
                #expect(log.contains(dataDirectory), "\(name): the error does not name the data directory: \(log)")
                if index == 0 { #expect(log.contains("is a file, not a directory"), "\(name): the error does not say why: \(log)") }
            }
            print("disk-open: \(cases.count) unusable data directories, each exited non-zero with store_cannot_open within \(slowest) ms")
        }

        @Test("disk full: serving goes on, ingest pauses with nothing committed that was not stored, and resumes exactly when space returns")
        func diskFull() async throws {
            let brokers = try TestEnvironment.brokers()
            let binary = try TestEnvironment.tallyBinary()
            let topics = TestEnvironment.uniqueTopics("diskfull")
            let workDirectory = TestEnvironment.temporaryDirectory("disk-full")
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: workDirectory) }
            let end = TestEnvironment.today
            let total = ChaosMode.integer("TALLY_DISKFULL_EVENTS", short: 60_000, long: 300_000)
            let fills = ChaosMode.integer("TALLY_DISKFULL_ROUNDS", short: 1, long: 3)
            let tenants = (0..<5).map(TrafficGenerator.tenantId)
            let events = Array(TrafficGenerator(seed: 4242, tenants: tenants.count, days: 6, endDay: end, total: total))

            let producer = try KafkaProducer(brokers: brokers)
            try producer.createTopics(topics, partitions: 3)
            let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
            let ledger = try await TopicLedger.read(brokers: brokers, topics: topics, ends: ends, events: events)

            // 3 MiB holds about a third of the short stream (rollups, dedupe ids and the WAL).
            var sizeKiB = 3 * 1024
            let disk = try TmpfsMount(label: "disk-full", sizeKiB: sizeKiB)
            let secret = try TestEnvironment.adminSecret(dataDirectory: disk.path)
            let server = ServerProcess(binary: binary, arguments: [
                "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", disk.path,
            ], logPath: workDirectory + "/serve.log", logLevel: "info")
            // The server first, then the mount it has files open in.
            defer {
                server.terminate()
                disk.unmount()
            }
            try server.start()
            let port = try await server.waitForHTTPPort()

            var pausedAt: [Int64] = []
            var mismatches: [String] = []
            var requestsWhilePaused = 0
            for fill in 0..<fills {
                let paused = try await TestEnvironment.waitForHealth(port: port, timeout: .seconds(90), "ingest never reported the full disk") {
                    $0.lastError != nil
                }
                #expect(paused.lastError?.contains("store_write_failed") == true, "lastError: \(paused.lastError ?? "")")
                #expect(paused.committedTotal < Int64(total), "the disk held the whole stream; make it smaller")

                // Paused, not dead: the process runs, HTTP answers, reports are served, and the
                // committed offsets stand still while the disk stays full.
                for round in 0..<8 {
                    let (status, health) = try await HTTPFetch.health(port: port)
                    #expect(status == 200)
                    #expect(health.lastError != nil, "lastError cleared while the disk is still full")
                    #expect(health.committedTotal == paused.committedTotal, "offsets moved from \(paused.committedTotal) to \(health.committedTotal) on a full disk")
                    let report = ReportCatalog.all[round % ReportCatalog.all.count]
                    _ = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id,
                                                   body: ReportCheck.fetchBody(tenant: tenants[round % tenants.count], periodDays: 7, end: end))
                    requestsWhilePaused += 2
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(server.isRunning, "tally serve exited on a full disk")

                // The key property, on a copy of the paused store: its offsets and its rollups
                // describe the same events. Nothing was recorded as consumed that was not stored.
                let copy = workDirectory + "/copy-\(fill)"
                try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
                for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: disk.path + "/tally.sqlite" + suffix) {
                    try FileManager.default.copyItem(atPath: disk.path + "/tally.sqlite" + suffix, toPath: copy + "/tally.sqlite" + suffix)
                }
                do {
                    let snapshot = try TallyStore(path: copy + "/tally.sqlite")
                    let offsets = try TestEnvironment.committedOffsets(snapshot)
                    let stored = offsets.values.reduce(0, +)
                    #expect(stored == paused.committedTotal, "the store's offsets (\(stored)) differ from healthz (\(paused.committedTotal))")
                    pausedAt.append(stored)
                    mismatches += try ReportCheck.mismatches(store: snapshot, oracle: ReportOracle(events: ledger.events(below: offsets)),
                                                             tenants: tenants, periods: [7], reports: ReportCheck.representative,
                                                             end: end).map { "paused store \(fill + 1): \($0)" }
                }

                // Space returns; ingest resumes by itself, without a restart.
                sizeKiB = fill == fills - 1 ? 512 * 1024 : sizeKiB * 2
                try disk.remount("size=\(sizeKiB)k")
                let pausedTotal = paused.committedTotal
                _ = try await TestEnvironment.waitForHealth(port: port, timeout: .seconds(30), "ingest did not resume after the disk grew") {
                    $0.lastError == nil && $0.committedTotal > pausedTotal
                }
            }

            let endTotal = ends.values.reduce(0, +)
            let caughtUp = try await TestEnvironment.waitForHealth(port: port, timeout: .seconds(120), "ingest did not catch up after the disk grew") {
                $0.committedTotal == endTotal && $0.lastError == nil
            }
            #expect(Dictionary(uniqueKeysWithValues: caughtUp.partitions.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0.committedOffset) })
                .filter { $0.value > 0 } == ends)
            // The stream spans 6 days: a 7-day period covers all of it.
            mismatches += try await ReportCheck.mismatches(port: port, secret: secret, oracle: ReportOracle(events: events),
                                                           tenants: tenants, periods: [7], end: end)
            for mismatch in mismatches.prefix(10) { Issue.record("\(mismatch)") }

            // Logged once per change of state, however many retries the pause took.
            let log = server.logLines()
            #expect(log.filter { $0.contains("store write failed") }.count == fills, "want one \"store write failed\" line per pause")
            #expect(log.filter { $0.contains("store writes recovered") }.count == fills, "want one \"store writes recovered\" line per pause")

            server.sendTerm()
            #expect(await server.waitForExit(timeout: .seconds(10)), "tally serve did not exit after SIGTERM")
            #expect(server.exitStatus == 0)
            print("disk-full: paused at offset \(pausedAt.map(String.init).joined(separator: "/")), resumed, \(mismatches.count) mismatches"
                  + " (\(total) events; \(requestsWhilePaused) requests served while paused)")
        }
    }
}
