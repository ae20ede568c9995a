import TallyDomain

/// Builds a report document from rollup readings, section by section.
///
/// Every figure comes from the existing report computations (`ReportCalculator` over the catalog's
/// definitions, `TenantReportCalculator`, `BotReportCalculator`) or from the same rollup queries
/// they read; nothing is recomputed from events. Pure: the caller passes one consistent snapshot
/// of the rollups and the ingest position it was read at, and the time to stamp.
public struct ReportDocumentBuilder {
    public init() {}

    /// Builds `spec`'s document. `facts` holds what sections read beside the rollups (see
    /// `SectionName.readsIngestHealth` and its siblings). `progress` is called after each section
    /// with the sections done; it may throw to stop the build (a job past its timeout).
    public func build(_ spec: ReportSpec, generatedAtMillis: Int64, dataAsOf: ReportDocument.DataAsOf,
                      from rollups: some RollupReading, facts: ReportFacts = ReportFacts(),
                      progress: (Int) throws -> Void = { _ in }) throws -> ReportDocument {
        let title = ReportDocument.TitleBlock(
            title: spec.title, type: spec.type, tenant: spec.tenant,
            slice: spec.slice.map { .init(dimension: $0.dimension == .botId ? "bot_id" : "channel", value: $0.value) },
            periodStart: spec.start, periodEnd: spec.end, timeZone: spec.timeZone,
            generatedAt: Self.rfc3339(millis: generatedAtMillis), dataAsOf: dataAsOf)
        let reader = SectionReader(spec: spec, rollups: rollups, facts: facts)
        var sections: [ReportDocument.Section] = []
        for name in spec.sections {
            sections.append(.init(name: name, blocks: try reader.blocks(of: name)))
            try progress(sections.count)
        }
        return ReportDocument(title: title, sections: sections)
    }

    /// `2026-03-15T12:00:00.000Z`: UTC with milliseconds, the form every time of the API takes.
    public static func rfc3339(millis: Int64) -> String {
        let day = Day(epochMillis: millis)
        let inDay = millis - Int64(day.number) * 86_400_000
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = inDay % 1000
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(day.iso)T\(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60)):\(two(inDay / 1000 % 60)).\(msText)Z"
    }
}

/// Why a document could not be built; the job fails with this text.
public struct ReportBuildError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
