import TallyReports
import TallySettings

/// A report template: a type's sections and defaults under a name. One read-only built-in per
/// type, serving the type's documented default sections; custom templates are not built yet.
struct ReportTemplate: Sendable, Encodable {
    var id: String
    var name: String
    var description: String
    var type: ReportType
    var sections: [SectionName]
    /// The `limit` of sections that list rows, where the template gives one.
    var sectionLimits: [SectionName: Int] = [:]
    var format: ReportFormat
    var includeCharts: Bool
    var periodDays: Int
    var version: Int
    var builtIn: Bool
    /// The tenant a custom template belongs to; nil for built-ins and platform templates.
    var userId: String? = nil
    var createdAtMillis: Int64? = nil
    var updatedAtMillis: Int64? = nil

    enum CodingKeys: String, CodingKey {
        case id = "template_id", name, description, type, sections, format, includeCharts = "include_charts", periodDays = "period_days", version
        case builtIn = "built_in", userId = "user_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        // Each section as generate accepts it: `{"type"}`, plus `limit` where the template has one.
        try container.encode(sections.map { SectionItem(type: $0.rawValue, limit: sectionLimits[$0]) }, forKey: .sections)
        try container.encode(format, forKey: .format)
        try container.encode(includeCharts, forKey: .includeCharts)
        try container.encode(periodDays, forKey: .periodDays)
        try container.encode(version, forKey: .version)
        try container.encode(builtIn, forKey: .builtIn)
        try container.encode(userId, forKey: .userId)
        try container.encode(createdAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)), forKey: .createdAt)
        try container.encode(updatedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)), forKey: .updatedAt)
    }

    struct SectionItem: Encodable {
        var type: String
        var limit: Int?
        enum CodingKeys: String, CodingKey { case type, limit }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encodeIfPresent(limit, forKey: .limit)
        }
    }

    /// `builtin-usage`, `builtin-conversations`, …: the types' defaults, version 1.
    static let builtIns: [ReportTemplate] = ReportType.allCases.filter { $0 != .custom }.map { type in
        ReportTemplate(id: "builtin-\(type.rawValue)", name: type.defaultTitle,
                       description: "The \(type.rawValue) type's default sections: \(type.defaultSections.map(\.rawValue).joined(separator: ", "))",
                       type: type, sections: type.defaultSections, format: .json, includeCharts: true, periodDays: 30, version: 1, builtIn: true)
    }

    static func builtIn(id: String) -> ReportTemplate? { builtIns.first { $0.id == id } }
}

extension ReportTemplate {
    /// A custom template from its record; nil when it names a type, format or section this
    /// version does not know.
    init?(_ record: ReportTemplateRecord) {
        guard let type = ReportType(rawValue: record.type), let format = ReportFormat(rawValue: record.format) else { return nil }
        var sections: [SectionName] = []
        for name in record.sections {
            guard let section = SectionName(rawValue: name) else { return nil }
            sections.append(section)
        }
        var limits: [SectionName: Int] = [:]
        for (name, limit) in record.sectionLimits {
            guard let section = SectionName(rawValue: name), sections.contains(section) else { return nil }
            limits[section] = limit
        }
        self.init(id: record.id, name: record.name, description: record.description, type: type, sections: sections, format: format,
                  includeCharts: record.includeCharts, periodDays: record.periodDays, version: record.version, builtIn: false,
                  userId: record.userId, createdAtMillis: record.createdAtMillis, updatedAtMillis: record.updatedAtMillis)
        sectionLimits = limits
    }
}
