import TallySettings

/// The count of scheduled runs that ended `failed` in the last 24 hours, for `/healthz` and
/// `/metrics`: a failing delivery shows where probes and alerts look, not only in its history.
struct ScheduledRunHealth: Sendable {
    /// nil when this server runs no schedules: the count is then left out.
    let settings: SettingsStore?
    let nowMillis: @Sendable () -> Int64

    func failedInLastDay() async -> Int? {
        guard let settings else { return nil }
        return try? await settings.failedScheduleRunCount(sinceMillis: nowMillis() - 86_400_000)
    }

    /// Report jobs pending and running, when this server runs schedules and report jobs.
    func unfinishedReportJobs() async -> [String: Int]? {
        guard let settings else { return nil }
        return try? await settings.unfinishedReportJobCounts()
    }
}
