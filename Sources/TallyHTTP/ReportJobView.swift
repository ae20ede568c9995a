import TallyReports
import TallySettings

/// A job's metadata as `GET /api/v1/reports/{report_id}` and the list answer it: snake_case, every
/// field present (null when not known yet), times as RFC 3339 UTC with milliseconds.
struct ReportJobView: Encodable {
    var job: ReportJob

    enum CodingKeys: String, CodingKey {
        case reportId = "report_id", userId = "user_id", type, title, format, state, startDate = "start_date", endDate = "end_date"
        case timeZone = "time_zone", sections, templateId = "template_id", templateVersion = "template_version", createdAt = "created_at"
        case startedAt = "started_at", completedAt = "completed_at", createdBy = "created_by", sizeBytes = "size_bytes", sha256
        case downloadURL = "download_url", statusURL = "status_url", dataAsOf = "data_as_of", error, botId = "bot_id", channel
        case includeCharts = "include_charts", attempts, sectionLimits = "section_limits"
    }

    struct CreatedBy: Encodable {
        var keyId: String
        var name: String
        enum CodingKeys: String, CodingKey { case keyId = "key_id", name }
    }

    static func url(_ id: String) -> String { "/api/v1/reports/\(id)" }

    func encode(to encoder: any Encoder) throws {
        let r = job.request
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(r.id, forKey: .reportId)
        try c.encode(r.userId, forKey: .userId)
        try c.encode(r.type, forKey: .type)
        try c.encode(r.title, forKey: .title)
        try c.encode(r.format, forKey: .format)
        try c.encode(job.state, forKey: .state)
        try c.encode(r.startDate, forKey: .startDate)
        try c.encode(r.endDate, forKey: .endDate)
        try c.encode(r.timeZone, forKey: .timeZone)
        try c.encode(r.sections, forKey: .sections)
        // The `limit` a request gave sections that list rows, by name (`{}` when none did).
        try c.encode(r.sectionLimits, forKey: .sectionLimits)
        try c.encode(r.templateId, forKey: .templateId)
        try c.encode(r.templateVersion, forKey: .templateVersion)
        try c.encode(r.botId, forKey: .botId)
        try c.encode(r.channel, forKey: .channel)
        try c.encode(r.includeCharts, forKey: .includeCharts)
        try c.encode(ReportDocumentBuilder.rfc3339(millis: r.createdAtMillis), forKey: .createdAt)
        try c.encode(job.startedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)), forKey: .startedAt)
        try c.encode(job.completedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)), forKey: .completedAt)
        try c.encode(CreatedBy(keyId: r.createdByKeyId, name: r.createdByKeyName), forKey: .createdBy)
        try c.encode(job.sizeBytes, forKey: .sizeBytes)
        try c.encode(job.sha256, forKey: .sha256)
        try c.encode(job.state == .completed ? Self.url(r.id) + "/download" : nil, forKey: .downloadURL)
        try c.encode(Self.url(r.id) + "/status", forKey: .statusURL)
        try c.encode(job.dataAsOf.map(Self.asOf), forKey: .dataAsOf)
        try c.encode(job.error, forKey: .error)
        try c.encode(job.attempts, forKey: .attempts)
    }

    static func asOf(_ value: ReportJob.DataAsOf) -> ReportDocument.DataAsOf {
        ReportDocument.DataAsOf(committedAt: value.committedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)),
                                offsets: value.offsets.map { .init(topic: $0.topic, partition: $0.partition, nextOffset: $0.nextOffset) })
    }
}

/// `GET /api/v1/reports/{report_id}/status`.
struct ReportStatusView: Encodable {
    var reportId: String
    var state: ReportJob.State
    var progress: Int
    var message: String?
    var error: String?

    enum CodingKeys: String, CodingKey { case reportId = "report_id", state, progress, message, error }

    init(_ job: ReportJob, progress running: Int?) {
        reportId = job.id
        state = job.state
        switch job.state {
        case .pending: progress = 0; message = "waiting for a worker"
        case .running: progress = running ?? 0; message = "building sections"
        case .completed: progress = 100; message = "ready for download"
        case .failed: progress = running ?? 0; message = "generation failed"; error = job.error
        }
    }
}

/// The 202 of `POST /api/v1/reports/generate`.
struct GenerateAnswer: Encodable {
    var reportId: String
    var state = "pending"
    var statusURL: String
    enum CodingKeys: String, CodingKey { case reportId = "report_id", state, statusURL = "status_url" }
}
