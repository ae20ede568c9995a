import Foundation

/// Who did something that the audit log records: an API key, or a person at the command line.
///
/// A key is named by its id, its name and its role at the time, so that an entry still says who
/// acted after the key is revoked or renamed. The command line has no key: it is `cli:<user>`,
/// from the operating-system account that ran `tally`, since whoever can run the binary on the
/// data directory can change it.
public struct AuditActor: Sendable, Equatable {
    /// A key id (`key_…`), `cli:<user>`, or `system:<service>` for what `serve` does on its own.
    public var id: String
    /// The key's name, or the OS user name.
    public var name: String
    /// The key's role; nil for the command line and the system.
    public var role: String?

    public init(id: String, name: String, role: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
    }

    /// The actor of a request made with `key`.
    public static func key(_ key: ApiKey) -> AuditActor {
        AuditActor(id: key.id, name: key.name, role: key.role.rawValue)
    }

    /// The actor of a command run at the command line, from the OS user running it.
    public static func commandLine(user: String = AuditActor.osUser()) -> AuditActor {
        AuditActor(id: "cli:" + user, name: user)
    }

    /// The actor of work `tally serve` starts by itself (periodic snapshots).
    public static func system(_ service: String) -> AuditActor {
        AuditActor(id: "system:" + service, name: service)
    }

    /// The effective OS user's name; `USER` or the numeric uid when the account has no name.
    public static func osUser() -> String {
        let name = ProcessInfo.processInfo.userName
        if !name.isEmpty { return name }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        return "uid-\(getuid())"
    }
}
