import CCurl
import Foundation

/// Sends one message to one recipient through libcurl's SMTP client: the only code that speaks
/// to a mail server, and the only module that imports libcurl.
///
/// One transfer per recipient, so that each recipient gets an outcome of its own: a refused
/// address fails alone, and a retry sends to the others nothing again.
public struct SMTPSender: Sendable {
    public let configuration: SMTPConfiguration

    /// The server's answer to the message's data: its code and text (`250 OK queued as …`).
    public struct Reply: Sendable, Equatable {
        public var code: Int
        public var text: String
    }

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
        _ = Self.globalInit
    }

    /// libcurl's process-wide set-up, once, before any handle exists.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Sends `message` (to `message.to`); returns the server's final reply or throws `MailError`.
    public func send(_ message: MailMessage) throws(MailError) -> Reply {
        guard let handle = curl_easy_init() else { throw MailError(.client, "libcurl could not make a handle") }
        defer { curl_easy_cleanup(handle) }
        let transfer = Transfer(bytes: MIMEWriter.bytes(of: message))
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }
        var recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(message.to.value)>")
        defer { curl_slist_free_all(recipients) }

        var status = CURLE_OK
        func set(_ result: CURLcode) { if status == CURLE_OK { status = result } }
        set(tally_curl_set_string(handle, CURLOPT_URL, configuration.url))
        set(tally_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(configuration.from.value)>"))
        set(tally_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients))
        set(tally_curl_set_long(handle, CURLOPT_UPLOAD, 1))
        set(tally_curl_set_read_function(handle, readCallback))
        set(tally_curl_set_context(handle, CURLOPT_READDATA, context.toOpaque()))
        // The server's replies reach us only through the debug stream.
        set(tally_curl_set_long(handle, CURLOPT_VERBOSE, 1))
        set(tally_curl_set_debug_function(handle, debugCallback))
        set(tally_curl_set_context(handle, CURLOPT_DEBUGDATA, context.toOpaque()))
        set(tally_curl_set_long(handle, CURLOPT_TIMEOUT, configuration.timeoutSeconds))
        set(tally_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, min(configuration.timeoutSeconds, 15)))
        set(tally_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        if configuration.startTLS { set(tally_curl_set_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))) }
        if let user = configuration.user { set(tally_curl_set_string(handle, CURLOPT_USERNAME, user)) }
        if let password = configuration.password { set(tally_curl_set_string(handle, CURLOPT_PASSWORD, password)) }
        guard status == CURLE_OK else { throw MailError(.client, "libcurl refused an option: \(String(cString: curl_easy_strerror(status)))") }
        _ = recipients

        let result = curl_easy_perform(handle)
        var code = 0
        _ = tally_curl_response_code(handle, &code)
        // The reply that decided: the first refusal (4xx, 5xx) if any, else the last before the
        // server's goodbye (221). libcurl leaves the response code at 0 when a RCPT or MAIL
        // command is refused, so the code is read from that line.
        let replies = transfer.replies.filter { !$0.hasPrefix("221") }
        let last = replies.first { (Int($0.prefix(3)) ?? 0) >= 400 } ?? replies.last ?? ""
        if let replied = Int(last.prefix(3)), (200...599).contains(replied), code == 0 || replied >= 400 { code = replied }
        guard result == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(result))
            // No reply code: the server was never reached, or the exchange broke off.
            guard code > 0 else { throw MailError(.unreachable, "\(configuration.url): \(reason)") }
            throw MailError(.rejected, last.isEmpty ? reason : "\(reason): \(last)", replyCode: code)
        }
        return Reply(code: code, text: last)
    }

    /// The message being uploaded and the server's reply lines, shared with the C callbacks.
    final class Transfer {
        let bytes: [UInt8]
        var offset = 0
        var replies: [String] = []
        init(bytes: [UInt8]) { self.bytes = bytes }
    }
}

/// libcurl asks for the next bytes of the message.
private func readCallback(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<SMTPSender.Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, transfer.bytes.count - transfer.offset)
    guard length > 0 else { return 0 }
    transfer.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + transfer.offset, byteCount: length)
    }
    transfer.offset += length
    return length
}

/// libcurl shows what the server said (`CURLINFO_HEADER_IN`): its reply lines are kept.
private func debugCallback(_ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?, _ size: Int,
                           _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
    let transfer = Unmanaged<SMTPSender.Transfer>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    if !text.isEmpty { transfer.replies.append(text) }
    return 0
}
