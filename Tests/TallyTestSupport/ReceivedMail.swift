import Foundation

/// A message the SMTP server received, as Python's email package reads it (not Tally's code).
public struct ReceivedMail: Decodable, Sendable {
    public var to: String
    public var from: String
    public var subject: String
    public var messageId: String
    public var contentType: String
    public var text: String
    public var html: String
    public var attachmentName: String?
    public var attachmentType: String?
    public var attachmentSha256: String?
    public var defects: [String]

    enum CodingKeys: String, CodingKey {
        case to, from, subject, text, html, defects
        case messageId = "message_id", contentType = "content_type", attachmentName = "attachment_name"
        case attachmentType = "attachment_type", attachmentSha256 = "attachment_sha256"
    }

    static let program = """
        import email, email.policy, hashlib, json, sys
        out = []
        for path in sys.argv[2:]:
            m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
            text = html = None
            name = kind = digest = None
            for p in m.walk():
                if p.is_multipart():
                    continue
                if p.get_content_disposition() == "attachment":
                    name, kind = p.get_filename(), p.get_content_type()
                    digest = hashlib.sha256(p.get_content()).hexdigest()
                elif p.get_content_type() == "text/plain":
                    text = p.get_content()
                elif p.get_content_type() == "text/html":
                    html = p.get_content()
            out.append({"to": str(m["To"]), "from": str(m["From"]), "subject": str(m["Subject"]), "message_id": str(m["Message-ID"]),
                        "content_type": m.get_content_type(), "text": text or "", "html": html or "", "attachment_name": name,
                        "attachment_type": kind, "attachment_sha256": digest, "defects": [str(d) for p in m.walk() for d in p.defects]})
        print(json.dumps(out))
        """

    /// Every message in `files`, parsed.
    public static func read(_ files: [URL]) throws -> [ReceivedMail] {
        guard !files.isEmpty else { return [] }
        return try JSONDecoder().decode([ReceivedMail].self, from: try VenvPython.run(["-c", program], input: Data(), trailing: files.map(\.path)))
    }

    /// SHA-256 of a file, by Python's hashlib.
    public static func sha256(ofFile path: String) throws -> String {
        let output = try VenvPython.run(["-c", "import hashlib, sys; print(hashlib.sha256(open(sys.argv[2], 'rb').read()).hexdigest())"],
                                        input: Data(), trailing: [path])
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
