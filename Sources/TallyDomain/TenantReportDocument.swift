/// The answer of a `TenantReport`, in ChatBotKit's output shape.
public enum TenantReportDocument: Sendable, Equatable, Encodable {
    case alerts(AlertsDocument)
    case overview(OverviewDocument)
    case platformOverview(PlatformOverviewDocument)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .alerts(let alerts): try alerts.encode(to: encoder)
        case .overview(let overview): try overview.encode(to: encoder)
        case .platformOverview(let platform): try platform.encode(to: encoder)
        }
    }
}
