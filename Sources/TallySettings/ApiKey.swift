/// An API key's stored record. The secret itself is never stored, only its SHA-256.
public struct ApiKey: Sendable, Equatable, Encodable {
    /// The roles of the Reports API. Every role may fetch reports; administrative endpoints
    /// (dead letters) need `admin` or `reportAdmin`.
    public enum Role: String, Sendable, CaseIterable, Codable {
        case admin
        case reportAdmin = "report_admin"
        case reportCreator = "report_creator"
        case reportViewer = "report_viewer"

        /// True for roles allowed to administer the platform's reports.
        public var isAdministrative: Bool { self == .admin || self == .reportAdmin }
    }

    public var id: String
    public var name: String
    public var role: Role
    /// The only tenant this key may read, or nil for a platform-wide key.
    public var userId: String?
    public var createdAtMillis: Int64
    public var revokedAtMillis: Int64?

    public init(id: String, name: String, role: Role, userId: String?, createdAtMillis: Int64, revokedAtMillis: Int64?) {
        self.id = id
        self.name = name
        self.role = role
        self.userId = userId
        self.createdAtMillis = createdAtMillis
        self.revokedAtMillis = revokedAtMillis
    }
}
