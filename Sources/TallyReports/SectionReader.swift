import TallyDomain

/// Computes each section's blocks for one spec from one snapshot of the rollups.
struct SectionReader<Rollups: RollupReading> {
    let spec: ReportSpec
    let rollups: Rollups
    let facts: ReportFacts
    let window: ReportWindow
    let key: String

    init(spec: ReportSpec, rollups: Rollups, facts: ReportFacts) {
        self.spec = spec
        self.rollups = rollups
        self.facts = facts
        window = spec.window
        key = spec.storageKey
    }

    func blocks(of name: SectionName) throws -> [Block] {
        switch name {
        case .usageSummary: try usageSummary()
        case .messageMix: try messageMix()
        case .contactsGrowth: try contactsGrowth()
        case .conversationDepth: try conversationDepth()
        case .responseTimes: try responseTimes()
        case .hourlyHeatmap: try hourlyHeatmap()
        case .botBreakdown: try breakdown(.botId)
        case .channelBreakdown: try breakdown(.channel)
        case .satisfactionScores: try satisfactionScores()
        case .alerts: try alerts()
        case .topConversations: try topConversations()
        case .ingestHealth: ingestHealth()
        case .auditTrail: auditTrail()
        case .accessReview: accessReview()
        case .dataRetention: dataRetention()
        }
    }

    /// The catalog's report over `metric`, computed by `ReportCalculator` on the spec's key.
    func figure(_ metric: ReportDefinition.Metric, groupBy: RollupScope.Dimension? = nil) throws -> ReportResult {
        guard let definition = ReportCatalog.all.first(where: { $0.metric == metric }) else {
            throw ReportBuildError("no catalog report computes \(metric)")
        }
        return try ReportCalculator().compute(definition, tenant: key, window: window, groupBy: groupBy, from: rollups)
    }

    func kpi(_ name: String, _ label: String, _ unit: FigureUnit, _ result: ReportResult) -> KPIGroup.KPI {
        KPIGroup.KPI(name: name, label: label, unit: unit, value: result.value, change: result.change)
    }

    func line(_ name: String, _ label: String, _ result: ReportResult) -> Series.Line {
        Series.Line(name: name, label: label, values: result.breakdown.map(\.total))
    }

    var dates: [String] { window.days.map(\.iso) }
}
