import Foundation

/// One change to the settings store, as a value. `SettingsStore.apply` is the only code that writes.
///
/// Commands will travel on a Kafka topic so that several instances share one history (as ksqlDB's
/// command topic and Kafka Connect's config topic do), so each is deterministic: everything that
/// is decided once (ids, the secret's hash, times) is inside the command, and applying the same
/// commands in the same order gives the same state on every instance. That is also why a command
/// never carries a secret, only its SHA-256. (On a topic compacted by key id only the newest
/// command per key would survive, and a lone `revokeKey` cannot re-create its key: the replicator
/// must key records so that compaction keeps whole histories, or publish whole key records.)
///
/// The JSON encoding is part of that contract and must stay readable by every later version:
/// an object with a `type` and camelCase fields, absent optional fields left out, keys sorted:
///
/// ```json
/// {"createdAtMillis":1767225600000,"keyId":"key_0a1b2c3d4e5f","name":"ops","role":"admin","secretSha256":"<64 hex>","type":"createKey","userId":"tenant-1"}
/// {"keyId":"key_0a1b2c3d4e5f","revokedAtMillis":1767312000000,"type":"revokeKey"}
/// {"rebucketFrom":"2026-06-01","setAtMillis":1767312000000,"timeZone":"Europe/Berlin","type":"setTenantTimeZone","userId":"tenant-1"}
/// {"atMillis":1767312000000,"day":"2026-01-02","keyId":"key_0a1b2c3d4e5f","type":"recordKeyUse"}
/// {"action":"key.revoke","actorId":"cli:ops","actorName":"ops","atMillis":1767312000000,"outcome":"success","target":"key_0a1b2c3d4e5f","type":"appendAudit"}
/// ```
///
/// Unknown fields are ignored when decoding; a change of meaning gets a new `type` rather than a
/// new field, since an older instance would ignore the field and apply the command wrongly.
public enum SettingsCommand: Sendable, Equatable {
    /// Creates an active key. `userId` nil makes it platform-wide.
    case createKey(id: String, name: String, role: ApiKey.Role, userId: String?, secretSha256: String, createdAtMillis: Int64)
    /// Revokes an active key; requests with it get 401 from then on.
    case revokeKey(id: String, revokedAtMillis: Int64)
    /// Sets the IANA time zone a tenant's days are counted in (`UTC` is the default). With
    /// `rebucketFrom` (`YYYY-MM-DD`), the tenant accepts that days before it stay in the zone they
    /// were counted in, because the topics no longer hold them to count them again.
    case setTenantTimeZone(userId: String, timeZone: String, rebucketFrom: String?, setAtMillis: Int64)
    /// Appends an entry to the hash-chained audit log. The store gives it the next sequence number
    /// and its hashes, which follow from the entries before it, so every instance that applies the
    /// same commands in the same order holds the same chain. Fields: `atMillis`, `actorId`,
    /// `actorName`, `actorRole`, `userId`, `action`, `target`, `outcome`, `requestId`, `remoteAddress`.
    case appendAudit(AuditEntry)
    /// Accepts a report job in state `pending`, with everything decided about it.
    case createReportJob(ReportJob.Request)
    /// Starts a pending job, or starts again one left `running` by a process that stopped.
    case startReportJob(id: String, startedAtMillis: Int64)
    /// Records a running job's file, written and renamed into place before this is applied.
    case completeReportJob(ReportJob.Completion)
    /// Fails a pending or running job, keeping the reason.
    case failReportJob(id: String, failedAtMillis: Int64, error: String)
    /// Removes a job's record (its file is removed after).
    case deleteReportJob(id: String, deletedAtMillis: Int64)
    /// Creates a custom report template at version 1.
    case createReportTemplate(ReportTemplateRecord)
    /// Replaces a custom template; its `version` must be the stored one + 1.
    case updateReportTemplate(ReportTemplateRecord)
    /// Removes a custom template.
    case deleteReportTemplate(id: String, deletedAtMillis: Int64)
    /// Records that a key authenticated a request on a UTC day (`YYYY-MM-DD`), for the
    /// access_review report section. Applied once per key and day; a second one for the same
    /// day changes nothing.
    case recordKeyUse(id: String, day: String, atMillis: Int64)
    /// Creates a report schedule at version 1.
    case createReportSchedule(ReportSchedule)
    /// Replaces a schedule; its `version` must be the stored one + 1.
    case updateReportSchedule(ReportSchedule)
    /// Removes a schedule with its run history.
    case deleteReportSchedule(id: String, deletedAtMillis: Int64)
    /// Records a run of (schedule, instant) before anything is sent, or records the instant as
    /// skipped. Refused with `schedule_run_exists` when the pair is recorded already: this is what
    /// makes a run happen once whatever restarts or processes share the data directory.
    case recordScheduleRun(ScheduleRun.Record)
    /// Claims one recipient's delivery until a lease ends, before the message is sent.
    case claimScheduleDelivery(ScheduleDelivery.Claim)
    /// Records the outcome of the claimed delivery attempt.
    case recordScheduleDelivery(ScheduleDelivery.Outcome)
    /// Ends a running run as `sent`, `partially_sent` or `failed`.
    case finishScheduleRun(ScheduleRun.Finish)

    /// The `type` of the JSON encoding, also stored beside each logged command.
    public var type: String {
        switch self {
        case .createKey: Kind.createKey.rawValue
        case .revokeKey: Kind.revokeKey.rawValue
        case .setTenantTimeZone: Kind.setTenantTimeZone.rawValue
        case .appendAudit: Kind.appendAudit.rawValue
        case .createReportJob: Kind.createReportJob.rawValue
        case .startReportJob: Kind.startReportJob.rawValue
        case .completeReportJob: Kind.completeReportJob.rawValue
        case .failReportJob: Kind.failReportJob.rawValue
        case .deleteReportJob: Kind.deleteReportJob.rawValue
        case .createReportTemplate: Kind.createReportTemplate.rawValue
        case .updateReportTemplate: Kind.updateReportTemplate.rawValue
        case .deleteReportTemplate: Kind.deleteReportTemplate.rawValue
        case .recordKeyUse: Kind.recordKeyUse.rawValue
        case .createReportSchedule: Kind.createReportSchedule.rawValue
        case .updateReportSchedule: Kind.updateReportSchedule.rawValue
        case .deleteReportSchedule: Kind.deleteReportSchedule.rawValue
        case .recordScheduleRun: Kind.recordScheduleRun.rawValue
        case .claimScheduleDelivery: Kind.claimScheduleDelivery.rawValue
        case .recordScheduleDelivery: Kind.recordScheduleDelivery.rawValue
        case .finishScheduleRun: Kind.finishScheduleRun.rawValue
        }
    }

    /// The command's stable JSON encoding.
    public func json() -> String {
        // Encoding these plain fields cannot fail.
        String(decoding: try! Self.encoder.encode(self), as: UTF8.self)
    }

    /// Decodes the stable JSON encoding; anything else is `invalid_command`.
    public static func decode(json: String) throws(SettingsError) -> SettingsCommand {
        do {
            return try JSONDecoder().decode(SettingsCommand.self, from: Data(json.utf8))
        } catch {
            throw SettingsError(.invalidCommand, "not a settings command: \(Self.describe(error)): \(json.prefix(200))")
        }
    }

    /// The stable `type` names. Never rename one: logged and published commands carry them.
    enum Kind: String, Codable {
        case createKey
        case revokeKey
        case setTenantTimeZone
        case appendAudit
        case createReportJob, startReportJob, completeReportJob, failReportJob, deleteReportJob
        case createReportTemplate, updateReportTemplate, deleteReportTemplate
        case recordKeyUse
        case createReportSchedule, updateReportSchedule, deleteReportSchedule
        case recordScheduleRun, claimScheduleDelivery, recordScheduleDelivery, finishScheduleRun
    }

    /// Internal so that the report jobs' fields (`SettingsCommand+ReportJobs.swift`) share it.
    enum CodingKeys: String, CodingKey {
        case type, keyId, name, role, userId, secretSha256, createdAtMillis, revokedAtMillis, timeZone, rebucketFrom, setAtMillis
        case atMillis, actorId, actorName, actorRole, action, target, outcome, requestId, remoteAddress
        case reportId, reportType, format, title, sections, startDate, endDate, botId, channel, includeCharts, templateId, templateVersion
        case createdByKeyId, createdByKeyName, startedAtMillis, completedAtMillis, fileName, sizeBytes, sha256, dataAsOf, failedAtMillis
        case error, deletedAtMillis, description, periodDays, updatedAtMillis, day, sectionLimits
        case schedule, scheduleId, run, claim, delivery, finish, headline
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.dataCorrupted(let context): context.codingPath.last.map { "invalid field '\($0.stringValue)'" } ?? "invalid JSON"
        case DecodingError.typeMismatch(_, let context): "invalid field '\(context.codingPath.last?.stringValue ?? "?")'"
        case DecodingError.valueNotFound(_, let context): "missing field '\(context.codingPath.last?.stringValue ?? "?")'"
        default: "\(error)"
        }
    }
}

extension SettingsCommand: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .createKey:
            self = .createKey(
                id: try container.decode(String.self, forKey: .keyId),
                name: try container.decode(String.self, forKey: .name),
                role: try container.decode(ApiKey.Role.self, forKey: .role),
                userId: try container.decodeIfPresent(String.self, forKey: .userId),
                secretSha256: try container.decode(String.self, forKey: .secretSha256),
                createdAtMillis: try container.decode(Int64.self, forKey: .createdAtMillis))
        case .revokeKey:
            self = .revokeKey(
                id: try container.decode(String.self, forKey: .keyId),
                revokedAtMillis: try container.decode(Int64.self, forKey: .revokedAtMillis))
        case .setTenantTimeZone:
            self = .setTenantTimeZone(
                userId: try container.decode(String.self, forKey: .userId),
                timeZone: try container.decode(String.self, forKey: .timeZone),
                rebucketFrom: try container.decodeIfPresent(String.self, forKey: .rebucketFrom),
                setAtMillis: try container.decode(Int64.self, forKey: .setAtMillis))
        case .appendAudit:
            let actor = AuditActor(id: try container.decode(String.self, forKey: .actorId),
                                   name: try container.decode(String.self, forKey: .actorName),
                                   role: try container.decodeIfPresent(String.self, forKey: .actorRole))
            let atMillis = try container.decode(Int64.self, forKey: .atMillis)
            let userId = try container.decodeIfPresent(String.self, forKey: .userId)
            let action = AuditAction(rawValue: try container.decode(String.self, forKey: .action))
            let target = try container.decode(String.self, forKey: .target)
            let outcome = try container.decode(String.self, forKey: .outcome)
            let requestId = try container.decodeIfPresent(String.self, forKey: .requestId)
            let remoteAddress = try container.decodeIfPresent(String.self, forKey: .remoteAddress)
            self = .appendAudit(AuditEntry(atMillis: atMillis, actor: actor, userId: userId, action: action, target: target,
                                           outcome: outcome, requestId: requestId, remoteAddress: remoteAddress))
        case .createReportJob, .startReportJob, .completeReportJob, .failReportJob, .deleteReportJob:
            self = try Self.decodeReportJobCommand(from: container)
        case .createReportTemplate, .updateReportTemplate, .deleteReportTemplate:
            self = try Self.decodeReportTemplateCommand(from: container)
        case .recordKeyUse:
            self = .recordKeyUse(
                id: try container.decode(String.self, forKey: .keyId),
                day: try container.decode(String.self, forKey: .day),
                atMillis: try container.decode(Int64.self, forKey: .atMillis))
        case .createReportSchedule, .updateReportSchedule, .deleteReportSchedule, .recordScheduleRun, .claimScheduleDelivery,
             .recordScheduleDelivery, .finishScheduleRun:
            self = try Self.decodeScheduleCommand(from: container)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .createKey(id, name, role, userId, secretSha256, createdAtMillis):
            try container.encode(Kind.createKey, forKey: .type)
            try container.encode(id, forKey: .keyId)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
            try container.encodeIfPresent(userId, forKey: .userId)
            try container.encode(secretSha256, forKey: .secretSha256)
            try container.encode(createdAtMillis, forKey: .createdAtMillis)
        case let .revokeKey(id, revokedAtMillis):
            try container.encode(Kind.revokeKey, forKey: .type)
            try container.encode(id, forKey: .keyId)
            try container.encode(revokedAtMillis, forKey: .revokedAtMillis)
        case let .setTenantTimeZone(userId, timeZone, rebucketFrom, setAtMillis):
            try container.encode(Kind.setTenantTimeZone, forKey: .type)
            try container.encode(userId, forKey: .userId)
            try container.encode(timeZone, forKey: .timeZone)
            try container.encodeIfPresent(rebucketFrom, forKey: .rebucketFrom)
            try container.encode(setAtMillis, forKey: .setAtMillis)
        case let .appendAudit(entry):
            try container.encode(Kind.appendAudit, forKey: .type)
            try container.encode(entry.atMillis, forKey: .atMillis)
            try container.encode(entry.actor.id, forKey: .actorId)
            try container.encode(entry.actor.name, forKey: .actorName)
            try container.encodeIfPresent(entry.actor.role, forKey: .actorRole)
            try container.encodeIfPresent(entry.userId, forKey: .userId)
            try container.encode(entry.action.rawValue, forKey: .action)
            try container.encode(entry.target, forKey: .target)
            try container.encode(entry.outcome, forKey: .outcome)
            try container.encodeIfPresent(entry.requestId, forKey: .requestId)
            try container.encodeIfPresent(entry.remoteAddress, forKey: .remoteAddress)
        case .createReportJob, .startReportJob, .completeReportJob, .failReportJob, .deleteReportJob:
            try encodeReportJobCommand(into: &container)
        case .createReportTemplate, .updateReportTemplate, .deleteReportTemplate:
            try encodeReportTemplateCommand(into: &container)
        case let .recordKeyUse(id, day, atMillis):
            try container.encode(Kind.recordKeyUse, forKey: .type)
            try container.encode(id, forKey: .keyId)
            try container.encode(day, forKey: .day)
            try container.encode(atMillis, forKey: .atMillis)
        case .createReportSchedule, .updateReportSchedule, .deleteReportSchedule, .recordScheduleRun, .claimScheduleDelivery,
             .recordScheduleDelivery, .finishScheduleRun:
            try encodeScheduleCommand(into: &container)
        }
    }
}
