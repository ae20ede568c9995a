import Foundation
import TallySettings

extension ReportJobRunner {
    /// Deletes the reports created more than `--report-retention-days` ago, their metadata and
    /// their files, each deletion on the audit log as `report.expire` by `system:serve`, and
    /// returns how many went. A job being run is left for the next sweep.
    ///
    /// The metadata goes first, in the same transaction as its audit entry, so a download never
    /// finds metadata whose file is being removed (a crash between the two leaves a file that no
    /// report names, as a crash during `DELETE` does).
    @discardableResult
    public func pruneExpired() async throws -> Int {
        let cutoff = nowMillis() - Int64(configuration.retentionDays) * 86_400_000
        var query = SettingsStore.ReportJobQuery()
        query.createdBeforeMillis = cutoff
        query.sort = .createdAt
        query.descending = false
        query.limit = 500
        var removed = 0
        let context = AuditContext(actor: .system("serve"))
        while true {
            let expired = try await settings.reportJobs(query).items.filter { $0.state != .running }
            guard !expired.isEmpty else { break }
            for job in expired {
                try settings.apply(.deleteReportJob(id: job.id, deletedAtMillis: nowMillis()),
                                   audited: context.entry(.reportExpire, target: job.id, userId: job.request.userId))
                if let fileName = job.fileName { files.remove(fileName) }
                removed += 1
            }
            // Running jobs stay in the list; past them, nothing older is left this sweep.
            if expired.count < query.limit { break }
        }
        if removed > 0 { logger.info("report retention", metadata: ["removed": "\(removed)", "retentionDays": "\(configuration.retentionDays)"]) }
        // A write killed mid-way left its temporary file; one older than twice the job timeout
        // can belong to no running job.
        let staleBefore = Date(timeIntervalSince1970: Double(nowMillis()) / 1000 - 2 * Double(configuration.timeout.components.seconds))
        let temporaries = files.removeStaleTemporaries(modifiedBefore: staleBefore)
        if temporaries > 0 { logger.notice("removed temporary report files left by an interrupted write", metadata: ["files": "\(temporaries)"]) }
        return removed
    }
}
