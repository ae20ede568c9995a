import Foundation
import Logging
import ServiceLifecycle
import TallyDomain
import TallyMetrics
import TallyReports
import TallySettings
import TallyStore

/// The in-process worker pool that runs report jobs, as a `Service` of `tally serve`.
///
/// Jobs are durable in the settings store; the runner holds only a queue of ids. At start it
/// queues every pending job and every job left `running` by a process that stopped, so a job
/// accepted before a `kill -9` still completes. Each job reads one snapshot of the rollups (with
/// its ingest position), renders the document, writes the file atomically and then records it
/// with `completeReportJob`: a job is `completed` only once its whole file is in place.
public final class ReportJobRunner: Service, Sendable {
    public let configuration: ReportJobConfiguration
    let settings: SettingsStore
    let stores: StoreHolder
    let logger: Logger
    let nowMillis: @Sendable () -> Int64
    let metrics: ReportMetrics?
    /// Where the files are; the download route reads them.
    public let files: ReportFiles
    private let queue = ReportJobQueue()
    private let progressBox = ProgressBox()

    public init(configuration: ReportJobConfiguration, settings: SettingsStore, stores: StoreHolder, logger: Logger,
                nowMillis: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }, metrics: ReportMetrics? = nil) {
        self.metrics = metrics
        self.configuration = configuration
        self.settings = settings
        self.stores = stores
        self.logger = logger
        self.nowMillis = nowMillis
        files = ReportFiles(directory: configuration.directory)
    }

    /// Hands an accepted job to the workers.
    public func enqueue(_ id: String) { queue.push(id) }

    /// A running job's progress, 0 to 100, or nil when no worker runs it.
    public func progress(of id: String) -> Int? { progressBox.get(id) }

    public func run() async throws {
        for job in try await settings.unfinishedReportJobs() {
            if job.state == .running { logger.notice("running a report job again after a restart", metadata: ["report": "\(job.id)"]) }
            queue.push(job.id)
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.sweepUntilShutdown() }
                for _ in 0..<max(1, configuration.workers) {
                    group.addTask {
                        while let id = await self.queue.next() {
                            await self.execute(id)
                            self.queue.done(id)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            // A job being run finishes; queued ones stay pending and run after the next start.
            self.queue.close()
        }
    }

    /// Applies the retention at start and then every `retentionSweep`, until shutdown; a sweep
    /// that fails is logged and tried again at the next one.
    private func sweepUntilShutdown() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await self.pruneExpired() } catch {
                    self.logger.error("report retention failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.configuration.retentionSweep)
            }
        }
    }

    /// Runs one job to `completed` or `failed`.
    func execute(_ id: String) async {
        let job: ReportJob
        do {
            guard let found = try await settings.reportJob(id: id), found.state == .pending || found.state == .running else { return }
            job = found
            try settings.apply(.startReportJob(id: id, startedAtMillis: nowMillis()))
        } catch {
            logger.error("a report job could not be started", metadata: ["report": "\(id)", "error": "\(error)"])
            return
        }
        progressBox.set(id, 0)
        defer { progressBox.remove(id) }
        let started = ContinuousClock.now
        func seconds() -> Double { Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000 }
        do {
            let completion = try await produce(job)
            try settings.apply(.completeReportJob(completion))
            metrics?.jobFinished(state: "completed", seconds: seconds())
            logger.info("report completed", metadata: ["report": "\(id)", "bytes": "\(completion.sizeBytes)"])
        } catch {
            metrics?.jobFinished(state: "failed", seconds: seconds())
            let reason = (error as? ReportJobFailure)?.description ?? "\(error)"
            logger.warning("report failed", metadata: ["report": "\(id)", "error": "\(reason)"])
            do { try settings.apply(.failReportJob(id: id, failedAtMillis: nowMillis(), error: reason)) } catch {
                logger.error("a failed report job could not be recorded", metadata: ["report": "\(id)", "error": "\(error)"])
            }
        }
    }

    private func produce(_ job: ReportJob) async throws -> ReportJob.Completion {
        let plan = try ReportJobPlan(job.request)
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.timeout
        let timeout = configuration.timeout
        let sections = plan.spec.sections.count
        let id = job.id
        let generatedAt = nowMillis()
        let progressBox = self.progressBox
        let facts = try await facts(for: plan.spec)
        @Sendable func checkDeadline() throws {
            if clock.now > deadline {
                throw ReportJobFailure("report generation took longer than the report timeout of \(timeout.components.seconds) s")
            }
        }
        let (document, position) = try await stores.current.withRollupsAtPositionAsync { rollups, position in
            let asOf = ReportDocument.DataAsOf(
                committedAt: position.committedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)),
                offsets: position.offsets.map { .init(topic: $0.topic, partition: $0.partition, nextOffset: $0.nextOffset) })
            let document = try ReportDocumentBuilder().build(plan.spec, generatedAtMillis: generatedAt, dataAsOf: asOf, from: rollups, facts: facts) { done in
                try checkDeadline()
                progressBox.set(id, 90 * done / max(1, sections))
            }
            return (document, position)
        }
        let bytes = try plan.renderer.render(document, includeCharts: plan.includeCharts)
        try checkDeadline()
        let fileName = "\(job.id).\(plan.renderer.format.fileExtension)"
        try files.write(bytes, as: fileName)
        progressBox.set(id, 100)
        return ReportJob.Completion(
            id: job.id, completedAtMillis: nowMillis(), fileName: fileName, sizeBytes: Int64(bytes.count), sha256: SHA256.hex(bytes),
            dataAsOf: .init(committedAtMillis: position.committedAtMillis,
                            offsets: position.offsets.map { .init(topic: $0.topic, partition: $0.partition, nextOffset: $0.nextOffset) }),
            headline: document.headline.map { ReportJob.Figure(label: $0.label, value: $0.value, change: $0.change) })
    }
}

/// Progress of running jobs, read by the status endpoint.
final class ProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int] = [:]
    func get(_ id: String) -> Int? { lock.withLock { values[id] } }
    func set(_ id: String, _ value: Int) { lock.withLock { values[id] = value } }
    func remove(_ id: String) { lock.withLock { _ = values.removeValue(forKey: id) } }
}
