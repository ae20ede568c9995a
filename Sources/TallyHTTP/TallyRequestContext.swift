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

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        apiKey = nil
        store = nil
    }

    /// Bodies larger than this are refused with 413 before they are read.
    public var maxUploadSize: Int { FetchRequest.maximumBodyBytes }
}
