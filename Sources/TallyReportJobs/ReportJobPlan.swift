import TallyDomain
import TallyReports
import TallySettings

/// A stored job's request read back as what to build and how to render it. The request was
/// validated when it was accepted; reading it again guards against a job written by another
/// version naming something this one does not know.
struct ReportJobPlan: Sendable {
    var spec: ReportSpec
    var renderer: any ReportRenderer
    var includeCharts: Bool

    init(_ request: ReportJob.Request) throws {
        guard let type = ReportType(rawValue: request.type) else { throw ReportJobFailure("unknown report type '\(request.type)'") }
        guard let format = ReportFormat(rawValue: request.format) else { throw ReportJobFailure("unknown format '\(request.format)'") }
        let sections = try request.sections.map { name in
            guard let section = SectionName(rawValue: name) else { throw ReportJobFailure("unknown section '\(name)'") }
            return section
        }
        guard let start = Day(iso: request.startDate), let end = Day(iso: request.endDate), start <= end,
              Int(end.number - start.number) < ReportSpec.maximumDays else {
            throw ReportJobFailure("invalid period \(request.startDate) to \(request.endDate)")
        }
        var limits: [SectionName: Int] = [:]
        for (name, limit) in request.sectionLimits {
            guard let section = sections.first(where: { $0.rawValue == name }), section.defaultLimit != nil,
                  SectionName.limitRange.contains(limit) else {
                throw ReportJobFailure("invalid limit \(limit) for section '\(name)'")
            }
            limits[section] = limit
        }
        let slice: (dimension: RollupScope.Dimension, value: String)? =
            request.botId.map { (.botId, $0) } ?? request.channel.map { (.channel, $0) }
        spec = ReportSpec(type: type, title: request.title, sections: sections, tenant: request.userId, slice: slice, start: start, end: end,
                          timeZone: request.timeZone, sectionLimits: limits)
        renderer = ReportRenderers.renderer(for: format)
        includeCharts = request.includeCharts
    }
}

/// Why a job failed: the text kept as the job's `error`.
struct ReportJobFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
