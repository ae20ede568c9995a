/// One alert of ChatBotKit's Alerts and Bot Alerts reports, with exactly the fields of their
/// output schemas. Which alerts exist, and how severe, is decided by `AlertRule`.
public struct Alert: Sendable, Equatable, Encodable {
    /// Every type either report can raise. ChatBotKit's schemas give each report its own list:
    /// Alerts `usageSpike`, `limit`, `sentiment`, `activity`, `negativeFeedback`; Bot Alerts
    /// `negativeFeedback`, `tokenSpike`, `conversationDrop`, `abandonmentSpike`.
    public enum Kind: String, Sendable, Equatable, Encodable {
        case usageSpike, limit, sentiment, activity, negativeFeedback
        case tokenSpike, conversationDrop, abandonmentSpike
    }

    /// Most severe first: the order alerts are listed in.
    public enum Severity: String, Sendable, Equatable, Encodable, CaseIterable {
        case critical, warning, info
    }

    /// The figure behind the alert: the period's value, what it was compared with, and the
    /// change (a spike or a drop) or the share (a ratio), as a percentage.
    public struct Metric: Sendable, Equatable, Encodable {
        public var current: ReportNumber
        public var baseline: ReportNumber?
        public var percentage: ReportNumber?

        public init(current: ReportNumber, baseline: ReportNumber?, percentage: ReportNumber?) {
            self.current = current
            self.baseline = baseline
            self.percentage = percentage
        }
    }

    public var type: Kind
    public var severity: Severity
    public var title: String
    public var message: String
    public var metric: Metric?

    public init(type: Kind, severity: Severity, title: String, message: String, metric: Metric?) {
        self.type = type
        self.severity = severity
        self.title = title
        self.message = message
        self.metric = metric
    }
}

/// The answer of Alerts and Bot Alerts: the alerts raised, most severe first (ties in the order
/// the rules are listed), their count by severity, and the period.
public struct AlertsDocument: Sendable, Equatable, Encodable {
    public struct Summary: Sendable, Equatable, Encodable {
        public var totalAlerts: Int64
        public var criticalCount: Int64
        public var warningCount: Int64
        public var infoCount: Int64
    }

    public var alerts: [Alert]
    public var summary: Summary
    public var period: String

    /// The alerts that `raised` holds (nil for a rule that raised none), sorted by severity; the
    /// sort is stable, so alerts of one severity keep the rules' order.
    public init(raised: [Alert?], period: String) {
        let alerts = raised.compactMap { $0 }
        self.alerts = Alert.Severity.allCases.flatMap { severity in alerts.filter { $0.severity == severity } }
        func count(_ severity: Alert.Severity) -> Int64 { Int64(alerts.filter { $0.severity == severity }.count) }
        summary = Summary(totalAlerts: Int64(alerts.count), criticalCount: count(.critical), warningCount: count(.warning),
                          infoCount: count(.info))
        self.period = period
    }
}
