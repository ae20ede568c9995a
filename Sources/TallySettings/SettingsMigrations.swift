import GRDB

/// The settings store's schema, as named migrations of its own.
///
/// Plain SQL, never edited once released, never depending on app types, so a file written by any
/// version opens with any later one. They share nothing with the rollup store's migrations: the
/// two files are created, upgraded and replaced independently.
enum SettingsMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-command-log") { db in
            try db.execute(sql: """
                -- Every applied command, in the order applied. seq never repeats (AUTOINCREMENT), so
                -- a replicator can resume after the last seq it has sent; body is the command's
                -- stable JSON, exactly as it will travel on a topic. A rejected command is not here.
                CREATE TABLE commands (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    applied_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v1-api-keys") { db in
            try db.execute(sql: """
                -- API keys as the commands left them: only the SHA-256 of the secret is stored.
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    user_id TEXT,
                    key_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                """)
        }
        migrator.registerMigration("v2-tenant-time-zones") { db in
            try db.execute(sql: """
                -- The time zone each tenant asked for (setTenantTimeZone), as the commands left it;
                -- a tenant without a row is in UTC. The rollup store records the zone its rollups
                -- are bucketed in; `serve` rebuilds a tenant whose two zones differ.
                CREATE TABLE tenant_time_zones (
                    user_id TEXT PRIMARY KEY,
                    time_zone TEXT NOT NULL,
                    rebucket_from TEXT,
                    set_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-report-jobs") { db in
            try db.execute(sql: """
                -- Report jobs as the report job commands left them. request is the createReportJob
                -- fields as JSON (sections, dates, zone, slice, template); the columns beside it are
                -- what lists filter and sort on, and what the runner updates. A row is deleted by
                -- deleteReportJob; its file in <data-dir>/reports goes after.
                CREATE TABLE report_jobs (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    format TEXT NOT NULL,
                    title TEXT NOT NULL,
                    request TEXT NOT NULL,
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    completed_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    file_name TEXT,
                    size_bytes INTEGER,
                    sha256 TEXT,
                    data_as_of TEXT,
                    error TEXT
                );
                CREATE INDEX report_jobs_by_tenant ON report_jobs (user_id, created_at);
                CREATE INDEX report_jobs_by_state ON report_jobs (state, created_at);
                -- Custom report templates (createReportTemplate, updateReportTemplate); user_id NULL
                -- for a platform template. body holds the sections and defaults as JSON.
                CREATE TABLE report_templates (
                    id TEXT PRIMARY KEY,
                    user_id TEXT,
                    name TEXT NOT NULL,
                    body TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        // GRDB runs every migration not yet applied, by name, in registration order, so a file
        // that ran v4 before v3 was registered still gets v3 on its next open.
        migrator.registerMigration("v4-audit-log") { db in
            try db.execute(sql: """
                -- The tamper-evident audit log (appendAudit commands). seq runs 1, 2, 3, … without
                -- gaps; entry_hash = SHA-256(previous_hash || canonical entry), as AuditChain
                -- documents, so `tally audit verify` finds any entry changed, inserted or deleted
                -- inside the log. actor_role, user_id, request_id and remote_address are NULL when
                -- they do not apply. Times are ms since the epoch.
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor_id TEXT NOT NULL,
                    actor_name TEXT NOT NULL,
                    actor_role TEXT,
                    user_id TEXT,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    request_id TEXT,
                    remote_address TEXT,
                    previous_hash TEXT NOT NULL,
                    entry_hash TEXT NOT NULL
                );
                CREATE INDEX audit_log_at ON audit_log (at);
                -- Append-only: the application never updates or deletes an entry, and these
                -- triggers refuse it to anyone else going through SQLite. Someone who can write
                -- the file can drop them; the hash chain is what shows that afterwards.
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        migrator.registerMigration("v5-key-use") { db in
            try db.execute(sql: """
                -- The UTC days on which each key authenticated a request (recordKeyUse commands),
                -- with the first instant (ms since the epoch) of that day's use.
                CREATE TABLE key_use_days (
                    key_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    first_used_at INTEGER NOT NULL,
                    PRIMARY KEY (key_id, day)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6-report-schedules") { db in
            try db.execute(sql: """
                -- A completed job's key figures (JSON), for the text of a scheduled report's mail.
                ALTER TABLE report_jobs ADD COLUMN headline TEXT;
                -- Report schedules; body is the ReportSchedule record as JSON.
                CREATE TABLE report_schedules (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX report_schedules_by_user ON report_schedules (user_id, created_at);
                -- One row per (schedule, fire instant): the primary key is the run's identity.
                CREATE TABLE schedule_runs (
                    schedule_id TEXT NOT NULL,
                    scheduled_at INTEGER NOT NULL,
                    trigger TEXT NOT NULL,
                    state TEXT NOT NULL,
                    report_id TEXT,
                    late_by INTEGER,
                    reason TEXT,
                    created_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    PRIMARY KEY (schedule_id, scheduled_at)
                ) WITHOUT ROWID;
                CREATE INDEX schedule_runs_unfinished ON schedule_runs (state) WHERE state = 'running';
                CREATE INDEX schedule_runs_by_finish ON schedule_runs (finished_at) WHERE state = 'failed';
                -- Each recipient's delivery of a run, in the schedule's order (position).
                CREATE TABLE schedule_deliveries (
                    schedule_id TEXT NOT NULL,
                    scheduled_at INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    recipient TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    reply TEXT,
                    error TEXT,
                    next_attempt_at INTEGER,
                    claimed_by TEXT,
                    claim_until INTEGER,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (schedule_id, scheduled_at, recipient)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
