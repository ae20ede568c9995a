/// The stable JSON encoding of the report job commands, in the same flat object as every command:
///
/// ```json
/// {"createdAtMillis":1767225600000,"createdByKeyId":"key_0a1b2c3d4e5f","createdByKeyName":"ops","endDate":"2026-01-31","format":"csv","includeCharts":true,"reportId":"rpt_0a1b2c3d4e5f6a7b","reportType":"usage","sections":["usage_summary"],"startDate":"2026-01-01","timeZone":"UTC","title":"January","type":"createReportJob","userId":"tenant-1"}
/// {"reportId":"rpt_0a1b2c3d4e5f6a7b","startedAtMillis":1767225600100,"type":"startReportJob"}
/// {"completedAtMillis":1767225600900,"dataAsOf":{"committedAtMillis":1767225599000,"offsets":[{"nextOffset":42,"partition":0,"topic":"events"}]},"fileName":"rpt_0a1b2c3d4e5f6a7b.csv","reportId":"rpt_0a1b2c3d4e5f6a7b","sha256":"<64 hex>","sizeBytes":5120,"type":"completeReportJob"}
/// {"error":"timed out after 600 s","failedAtMillis":1767225600900,"reportId":"rpt_0a1b2c3d4e5f6a7b","type":"failReportJob"}
/// {"deletedAtMillis":1767225700000,"reportId":"rpt_0a1b2c3d4e5f6a7b","type":"deleteReportJob"}
/// ```
///
/// The report's type is `reportType`, since `type` is the command's. `sectionLimits`
/// (`{"top_conversations":25}`) is present only when a section was given a `limit`, so commands
/// logged before limits existed read as they were written.
extension SettingsCommand {
    static func decodeReportJobCommand(from container: KeyedDecodingContainer<CodingKeys>) throws -> SettingsCommand {
        let id = try container.decode(String.self, forKey: .reportId)
        switch try container.decode(Kind.self, forKey: .type) {
        case .createReportJob:
            return .createReportJob(ReportJob.Request(
                id: id,
                userId: try container.decode(String.self, forKey: .userId),
                type: try container.decode(String.self, forKey: .reportType),
                format: try container.decode(String.self, forKey: .format),
                title: try container.decode(String.self, forKey: .title),
                sections: try container.decode([String].self, forKey: .sections),
                startDate: try container.decode(String.self, forKey: .startDate),
                endDate: try container.decode(String.self, forKey: .endDate),
                timeZone: try container.decode(String.self, forKey: .timeZone),
                botId: try container.decodeIfPresent(String.self, forKey: .botId),
                channel: try container.decodeIfPresent(String.self, forKey: .channel),
                includeCharts: try container.decode(Bool.self, forKey: .includeCharts),
                templateId: try container.decodeIfPresent(String.self, forKey: .templateId),
                templateVersion: try container.decodeIfPresent(Int.self, forKey: .templateVersion),
                createdByKeyId: try container.decode(String.self, forKey: .createdByKeyId),
                createdByKeyName: try container.decode(String.self, forKey: .createdByKeyName),
                createdAtMillis: try container.decode(Int64.self, forKey: .createdAtMillis),
                sectionLimits: try container.decodeIfPresent([String: Int].self, forKey: .sectionLimits) ?? [:]))
        case .startReportJob:
            return .startReportJob(id: id, startedAtMillis: try container.decode(Int64.self, forKey: .startedAtMillis))
        case .completeReportJob:
            return .completeReportJob(ReportJob.Completion(
                id: id,
                completedAtMillis: try container.decode(Int64.self, forKey: .completedAtMillis),
                fileName: try container.decode(String.self, forKey: .fileName),
                sizeBytes: try container.decode(Int64.self, forKey: .sizeBytes),
                sha256: try container.decode(String.self, forKey: .sha256),
                dataAsOf: try container.decode(ReportJob.DataAsOf.self, forKey: .dataAsOf),
                headline: try container.decodeIfPresent([ReportJob.Figure].self, forKey: .headline) ?? []))
        case .failReportJob:
            return .failReportJob(id: id, failedAtMillis: try container.decode(Int64.self, forKey: .failedAtMillis),
                                  error: try container.decode(String.self, forKey: .error))
        case .deleteReportJob:
            return .deleteReportJob(id: id, deletedAtMillis: try container.decode(Int64.self, forKey: .deletedAtMillis))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "not a report job command")
        }
    }

    func encodeReportJobCommand(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        switch self {
        case .createReportJob(let request):
            try container.encode(Kind.createReportJob, forKey: .type)
            try container.encode(request.id, forKey: .reportId)
            try container.encode(request.userId, forKey: .userId)
            try container.encode(request.type, forKey: .reportType)
            try container.encode(request.format, forKey: .format)
            try container.encode(request.title, forKey: .title)
            try container.encode(request.sections, forKey: .sections)
            if !request.sectionLimits.isEmpty { try container.encode(request.sectionLimits, forKey: .sectionLimits) }
            try container.encode(request.startDate, forKey: .startDate)
            try container.encode(request.endDate, forKey: .endDate)
            try container.encode(request.timeZone, forKey: .timeZone)
            try container.encodeIfPresent(request.botId, forKey: .botId)
            try container.encodeIfPresent(request.channel, forKey: .channel)
            try container.encode(request.includeCharts, forKey: .includeCharts)
            try container.encodeIfPresent(request.templateId, forKey: .templateId)
            try container.encodeIfPresent(request.templateVersion, forKey: .templateVersion)
            try container.encode(request.createdByKeyId, forKey: .createdByKeyId)
            try container.encode(request.createdByKeyName, forKey: .createdByKeyName)
            try container.encode(request.createdAtMillis, forKey: .createdAtMillis)
        case let .startReportJob(id, startedAtMillis):
            try container.encode(Kind.startReportJob, forKey: .type)
            try container.encode(id, forKey: .reportId)
            try container.encode(startedAtMillis, forKey: .startedAtMillis)
        case .completeReportJob(let completion):
            try container.encode(Kind.completeReportJob, forKey: .type)
            try container.encode(completion.id, forKey: .reportId)
            try container.encode(completion.completedAtMillis, forKey: .completedAtMillis)
            try container.encode(completion.fileName, forKey: .fileName)
            try container.encode(completion.sizeBytes, forKey: .sizeBytes)
            try container.encode(completion.sha256, forKey: .sha256)
            try container.encode(completion.dataAsOf, forKey: .dataAsOf)
            if !completion.headline.isEmpty { try container.encode(completion.headline, forKey: .headline) }
        case let .failReportJob(id, failedAtMillis, error):
            try container.encode(Kind.failReportJob, forKey: .type)
            try container.encode(id, forKey: .reportId)
            try container.encode(failedAtMillis, forKey: .failedAtMillis)
            try container.encode(error, forKey: .error)
        case let .deleteReportJob(id, deletedAtMillis):
            try container.encode(Kind.deleteReportJob, forKey: .type)
            try container.encode(id, forKey: .reportId)
            try container.encode(deletedAtMillis, forKey: .deletedAtMillis)
        default:
            preconditionFailure("not a report job command: \(type)")
        }
    }
}
