import Hummingbird
import TallySettings
import TallyStore

/// The request context of Tally's API: Hummingbird's core storage plus the authenticated key.
public struct TallyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every `/api` route, from the settings store.
    public var apiKey: ApiKey?
    /// The store this request reads, taken once by `AuthMiddleware`: a switch to a rebuilt store
    /// never splits one request across two stores.
    public var store: TallyStore?
    /// The client's IP address (or socket path), for the audit log; nil when the test router has no socket.
    public var remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        apiKey = nil
        store = nil
        let address = source.channel.remoteAddress
        remoteAddress = address?.ipAddress ?? address?.pathname
    }

    /// The audit context of this request: its key as the actor, its id, the client's address.
    public var audit: AuditContext? {
        apiKey.map { AuditContext(actor: .key($0), requestId: id, remoteAddress: remoteAddress) }
    }

    /// Bodies larger than this are refused with 413 before they are read.
    public var maxUploadSize: Int { FetchRequest.maximumBodyBytes }
}
