import Foundation

/// Runs blocking work (waiting for a child process, reading its pipe to the end) on a thread of
/// its own, and awaits it.
///
/// Swift Testing runs every test on Swift's cooperative pool, which has one thread per core. On a
/// 2-core machine two tests blocked in `waitUntilExit` stall every other test of the run, in-process
/// ingest included (its consumer then never even starts within a test's timeout). Blocking calls in
/// tests go through here.
public enum OffPool {
    public static func run<T>(_ body: @escaping () -> T) async -> T {
        let work = Unchecked(body)
        let result: Unchecked<T> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Unchecked(work.value())) }.start()
        }
        return result.value
    }

    /// Waits for `process` to exit and returns what it wrote to `output` and `errors` (pipes it was
    /// started with), each read to its end.
    public static func finish(_ process: Process, output: Pipe?, errors: Pipe?) async -> (status: Int32, output: String, errors: String) {
        await run {
            let out = output.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) } ?? ""
            let err = errors.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) } ?? ""
            process.waitUntilExit()
            return (process.terminationStatus, out, err)
        }
    }
}

/// A value handed to another thread that the compiler cannot prove safe to send: it is used by one
/// thread at a time.
public struct Unchecked<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
