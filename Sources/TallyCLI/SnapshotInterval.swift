import Foundation

/// A `--snapshot-every` value: `off` (or `0`), or a whole number with a unit, e.g. `30s`, `15m`,
/// `1h`, `1d`.
///
/// Kept to whole seconds and a handful of units so that the flag, the environment variable and the
/// docs all read the same way; an unparsable value is refused at start rather than guessed at.
struct SnapshotInterval: Equatable {
    /// The period, or nil when periodic snapshots are off.
    var duration: Duration?

    static let off = SnapshotInterval(duration: nil)

    private init(duration: Duration?) { self.duration = duration }

    init?(_ text: String) {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if ["", "off", "0", "none"].contains(value) {
            self = .off
            return
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = value.last, let seconds = units[unit], let count = Int64(value.dropLast()),
              count > 0, count <= 366 * 86_400 / seconds else { return nil }
        self.duration = .seconds(count * seconds)
    }
}
