import Foundation
import Hummingbird

extension Parameters {
    /// The path parameter `name` with its percent-encoding removed, as a client encodes an id
    /// that holds a space, a slash or any non-ASCII character (`tenant%20%C3%A9` for `tenant é`).
    /// The router matches the raw path, so its captures are still encoded; without this a
    /// tenant's own id could not be named. An encoding that is not UTF-8 gives "", which every
    /// route refuses as it refuses an empty id.
    func decoded(_ name: String) -> String {
        guard let raw = get(name) else { return "" }
        return raw.removingPercentEncoding ?? ""
    }
}
