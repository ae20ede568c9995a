import TallyDomain
import TallySettings

/// The report job a schedule's run generates: the schedule's report for the period its fire
/// instant covers, through the same job path as `POST /reports/generate`.
enum ScheduledReportJob {
    /// - Parameters:
    ///   - instant: the fire instant; the period is read on the schedule's zone relative to it.
    ///   - tenantZone: the zone the tenant's days are counted in (the rollups' days).
    static func request(for schedule: ReportSchedule, firingAt instant: Int64, reportId: String, tenantZone: String,
                        nowMillis: Int64) -> ReportJob.Request {
        let clock = LocalClock(timeZoneIdentifier: schedule.timeZone) ?? .utc
        let period = SchedulePeriod(name: schedule.period, days: schedule.periodDays) ?? .previousDay
        let (first, last) = period.days(firingAt: instant, on: clock)
        return ReportJob.Request(
            id: reportId, userId: schedule.userId, type: schedule.type, format: schedule.format, title: schedule.title,
            sections: schedule.sections, startDate: first.iso, endDate: last.iso, timeZone: tenantZone, botId: schedule.botId,
            channel: schedule.channel, includeCharts: schedule.includeCharts, templateId: schedule.templateId,
            templateVersion: schedule.templateVersion, createdByKeyId: schedule.createdByKeyId,
            createdByKeyName: "schedule \(schedule.id)", createdAtMillis: nowMillis, sectionLimits: schedule.sectionLimits)
    }
}
