import TallySettings

/// The Reports API's roles, ordered: report_viewer < report_creator < report_admin < admin.
///
/// - viewer: list, status, metadata, download, templates (read);
/// - creator: also generate;
/// - report_admin: also delete and the compliance type;
/// - admin: everything. A key bound to a tenant acts on that tenant only, whatever its role.
enum ReportPermission: Int, Comparable {
    case view = 0, create = 1, administer = 2

    static func rank(_ role: ApiKey.Role) -> Int {
        switch role {
        case .reportViewer: 0
        case .reportCreator: 1
        case .reportAdmin: 2
        case .admin: 3
        }
    }

    static func < (lhs: ReportPermission, rhs: ReportPermission) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The least role that holds this permission, for the 403's message.
    var leastRole: ApiKey.Role {
        switch self {
        case .view: .reportViewer
        case .create: .reportCreator
        case .administer: .reportAdmin
        }
    }

    /// Throws 403 `forbidden_role` unless `key`'s role ranks at least `leastRole`.
    static func require(_ permission: ReportPermission, of key: ApiKey, to action: String) throws(APIError) {
        guard rank(key.role) >= rank(permission.leastRole) else {
            throw APIError(.forbidden, code: "forbidden_role",
                           "\(action) needs a key with role \(permission.leastRole.rawValue) or higher; this key is \(key.role.rawValue)")
        }
    }
}
