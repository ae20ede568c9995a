import GRDB

/// The store's schema, as named migrations.
///
/// Migrations are plain SQL, never edited once released, and never depend on app types, so a
/// store written by any version opens with any later one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-rollups") { db in
            try db.execute(sql: """
                -- Additive per-tenant, per-UTC-day counters. new_contacts feeds Total Contacts.
                CREATE TABLE daily_counters (
                    tenant TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    conversations INTEGER NOT NULL DEFAULT 0,
                    messages INTEGER NOT NULL DEFAULT 0,
                    msg_user INTEGER NOT NULL DEFAULT 0,
                    msg_bot INTEGER NOT NULL DEFAULT 0,
                    msg_activity INTEGER NOT NULL DEFAULT 0,
                    msg_reasoning INTEGER NOT NULL DEFAULT 0,
                    msg_context INTEGER NOT NULL DEFAULT 0,
                    msg_instruction INTEGER NOT NULL DEFAULT 0,
                    msg_backstory INTEGER NOT NULL DEFAULT 0,
                    msg_checkpoint INTEGER NOT NULL DEFAULT 0,
                    ratings INTEGER NOT NULL DEFAULT 0,
                    thumbs_up INTEGER NOT NULL DEFAULT 0,
                    thumbs_down INTEGER NOT NULL DEFAULT 0,
                    new_contacts INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant, day)
                ) WITHOUT ROWID;

                -- Dense per-tenant ordinals for contacts (kind 0) and conversations (kind 1).
                -- first_day is the earliest event day seen for the member.
                CREATE TABLE members (
                    tenant TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    member_id TEXT NOT NULL,
                    ordinal INTEGER NOT NULL,
                    first_day INTEGER NOT NULL,
                    PRIMARY KEY (tenant, kind, member_id)
                ) WITHOUT ROWID;

                CREATE TABLE member_sequences (
                    tenant TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    next_ordinal INTEGER NOT NULL,
                    PRIMARY KEY (tenant, kind)
                ) WITHOUT ROWID;

                -- One compressed ordinal bitmap per tenant, member set and day.
                CREATE TABLE daily_bitmaps (
                    tenant TEXT NOT NULL,
                    set_kind INTEGER NOT NULL,
                    day INTEGER NOT NULL,
                    cardinality INTEGER NOT NULL,
                    bitmap BLOB NOT NULL,
                    PRIMARY KEY (tenant, set_kind, day)
                ) WITHOUT ROWID;

                -- The next offset to consume per partition, written in the same transaction as the
                -- rollups it produced: this is what makes ingest exactly once.
                CREATE TABLE consumed_offsets (
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    next_offset INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (topic, partition)
                ) WITHOUT ROWID;

                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    message_key BLOB,
                    payload BLOB NOT NULL,
                    payload_bytes INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    resolved_at INTEGER
                );
                CREATE INDEX dead_letters_by_time ON dead_letters (received_at);
                CREATE INDEX dead_letters_by_code ON dead_letters (code, received_at);
                """)
        }
        // Retired: API keys live in the settings store (`settings.sqlite`, `TallySettings`) now. The
        // migration stays as released, and no later one drops the table: `tally serve` and
        // `tally keys` import a store's keys into the settings store when they first open the data
        // directory, but other commands (`snapshot create`, `rebuild`, `dead-letters`) may open and
        // migrate this store before that, and a drop would lose the keys there. Imported rows are
        // deleted instead (`forgetRetiredApiKeys`), so neither a snapshot nor a lost settings file
        // can bring back a key revoked since. New stores keep an empty table.
        migrator.registerMigration("v1-api-keys") { db in
            try db.execute(sql: """
                -- API keys: only the SHA-256 of the secret is stored.
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
        migrator.registerMigration("v2-dedupe") { db in
            try db.execute(sql: """
                -- Ids of counted events per tenant, kept for the dedupe window. A re-sent event
                -- carries the same occurredAt, hence the same day, so the day can lead the key:
                -- inserts cluster on recent days and expiry is a range delete, with no second index.
                CREATE TABLE seen_events (
                    day INTEGER NOT NULL,
                    tenant TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    PRIMARY KEY (day, tenant, event_id)
                ) WITHOUT ROWID;

                -- Store-wide running totals, such as duplicates skipped.
                CREATE TABLE store_totals (
                    name TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-control") { db in
            try db.execute(sql: """
                -- Coordination between processes sharing a data directory (a live server and a
                -- rebuild): small named values, e.g. the rebuild handshake and the ingest heartbeat.
                CREATE TABLE control (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-dedupe-from-first-sight") { db in
            try db.execute(sql: """
                -- The dedupe window runs from when an id was first seen (its Kafka record's
                -- timestamp), not from its occurredAt: a late event's copies must be caught too.
                -- event_day stays for partial rebuilds, which replace a range of event days.
                CREATE TABLE seen_event_ids (
                    tenant TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_day INTEGER NOT NULL,
                    seen_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant, event_id)
                ) WITHOUT ROWID;
                CREATE INDEX seen_event_ids_by_time ON seen_event_ids (seen_at);

                -- Ids counted before this version: when they were seen is unknown, so they count
                -- as seen now and are kept a whole window from here.
                INSERT OR IGNORE INTO seen_event_ids (tenant, event_id, event_day, seen_at)
                    SELECT tenant, event_id, day, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM seen_events;
                DROP TABLE seen_events;
                """)
        }
        migrator.registerMigration("v5-tokens") { db in
            try db.execute(sql: """
                -- Model tokens of each day's messages (message.created's optional `tokens`).
                ALTER TABLE daily_counters ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
                """)
        }
        // Hourly Activity. One row per tenant-day with 24 hour columns rather than one row per
        // hour: a 365-day report reads 365 short rows instead of 8 760, and ingest still upserts
        // additively, once per touched tenant-day per batch, with no read. Days counted before this
        // version have no row (their events are gone); a rebuild fills them.
        migrator.registerMigration("v6-hourly-messages") { db in
            try db.execute(sql: """
                -- Messages per tenant, day and hour of that day (hNN = hour NN), in the zone that
                -- defines the day (UTC for now). Additive, like daily_counters.
                CREATE TABLE hourly_messages (
                    tenant TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    h00 INTEGER NOT NULL DEFAULT 0,
                    h01 INTEGER NOT NULL DEFAULT 0,
                    h02 INTEGER NOT NULL DEFAULT 0,
                    h03 INTEGER NOT NULL DEFAULT 0,
                    h04 INTEGER NOT NULL DEFAULT 0,
                    h05 INTEGER NOT NULL DEFAULT 0,
                    h06 INTEGER NOT NULL DEFAULT 0,
                    h07 INTEGER NOT NULL DEFAULT 0,
                    h08 INTEGER NOT NULL DEFAULT 0,
                    h09 INTEGER NOT NULL DEFAULT 0,
                    h10 INTEGER NOT NULL DEFAULT 0,
                    h11 INTEGER NOT NULL DEFAULT 0,
                    h12 INTEGER NOT NULL DEFAULT 0,
                    h13 INTEGER NOT NULL DEFAULT 0,
                    h14 INTEGER NOT NULL DEFAULT 0,
                    h15 INTEGER NOT NULL DEFAULT 0,
                    h16 INTEGER NOT NULL DEFAULT 0,
                    h17 INTEGER NOT NULL DEFAULT 0,
                    h18 INTEGER NOT NULL DEFAULT 0,
                    h19 INTEGER NOT NULL DEFAULT 0,
                    h20 INTEGER NOT NULL DEFAULT 0,
                    h21 INTEGER NOT NULL DEFAULT 0,
                    h22 INTEGER NOT NULL DEFAULT 0,
                    h23 INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant, day)
                ) WITHOUT ROWID;
                """)
        }
        // Conversation-level metrics (Engagement, Abandonment, First Response Time, Duration, Depth).
        // A conversation's state is kept per day of its events, so that a rebuild of a range of days
        // replaces exactly those days' parts and merges them with the parts it keeps; the per-day
        // aggregates are keyed by each conversation's start day and are what reports read. Both are
        // derived from the topics: conversations counted before this version have no state (their
        // events are gone) until a rebuild replays them.
        migrator.registerMigration("v7-conversation-state") { db in
            try db.execute(sql: """
                -- The state (TallyDomain.ConversationState) of one conversation's events of one day
                -- (their own UTC day, not the conversation's start day). Instants are ms since the
                -- epoch; bots_before_first_user is a varint list, NULL when empty.
                CREATE TABLE conversation_states (
                    tenant TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    created_at INTEGER,
                    first_event_at INTEGER NOT NULL,
                    user_messages INTEGER NOT NULL,
                    first_user_at INTEGER,
                    first_response_at INTEGER,
                    bots_before_first_user BLOB,
                    first_message_at INTEGER,
                    last_message_at INTEGER,
                    PRIMARY KEY (tenant, conversation_id, day)
                ) WITHOUT ROWID;

                -- Per tenant and start day: conversations by user messages (0, 1, 2-3, 4-10, >10)
                -- and log-bucket histograms (TallyDomain.LogHistogram) of first response times and
                -- durations in ms. Additive; a row with nothing left in it is deleted.
                CREATE TABLE conversation_metrics (
                    tenant TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    depth_0 INTEGER NOT NULL DEFAULT 0,
                    depth_1 INTEGER NOT NULL DEFAULT 0,
                    depth_2_3 INTEGER NOT NULL DEFAULT 0,
                    depth_4_10 INTEGER NOT NULL DEFAULT 0,
                    depth_over_10 INTEGER NOT NULL DEFAULT 0,
                    first_responses BLOB NOT NULL,
                    durations BLOB NOT NULL,
                    PRIMARY KEY (tenant, day)
                ) WITHOUT ROWID;
                """)
        }
        // Bot Negative Feedback lists ratings, which no counter can give back: the negative ones of
        // each bot are kept as rows (derived like every rollup, and rebuilt with them), one per
        // rating event under the bot's slice key.
        migrator.registerMigration("v8-negative-ratings") { db in
            try db.execute(sql: """
                CREATE TABLE negative_ratings (
                    tenant TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    value INTEGER NOT NULL,
                    reason TEXT,
                    conversation_id TEXT,
                    message_id TEXT,
                    contact_id TEXT,
                    PRIMARY KEY (tenant, event_id)
                ) WITHOUT ROWID;
                CREATE INDEX negative_ratings_by_day ON negative_ratings (tenant, day);
                """)
        }
        // Tenant time zones: the zone a tenant's rollups are bucketed in is a property of the rollups
        // (the days they are keyed by), so it lives beside them, moves with a partial rebuild's
        // transplant and is copied by snapshots. The zone a tenant asked for is user-made and lives
        // in the settings store; a tenant without a row is in UTC.
        migrator.registerMigration("v9-tenant-time-zones") { db in
            try db.execute(sql: """
                -- from_day: the first day bucketed in time_zone when a rebuild left the days before it
                -- in the previous zone (the topics no longer held them); NULL when every day is.
                CREATE TABLE tenant_time_zones (
                    tenant TEXT PRIMARY KEY,
                    time_zone TEXT NOT NULL,
                    from_day INTEGER
                ) WITHOUT ROWID;
                """)
        }
        // Conversation Usage reads each conversation's messages and their tokens per day of its
        // events, so each part of a conversation's state counts them too. Rows written before this
        // version hold NULL (read as 0): messages counted before it have no usage until a rebuild
        // replays them.
        migrator.registerMigration("v10-conversation-usage") { db in
            try db.execute(sql: """
                -- The part's message.created events, of every type, and the sum of their tokens.
                ALTER TABLE conversation_states ADD COLUMN messages INTEGER;
                ALTER TABLE conversation_states ADD COLUMN tokens INTEGER;
                """)
        }
        // The Reports API's top conversations list each conversation's ratings, which the daily
        // counters only sum per day, so each part of a conversation's state counts its thumbs up
        // and down too. Rows written before this version hold NULL (read as 0): ratings counted
        // before it are not in any conversation's figures until a rebuild replays them.
        migrator.registerMigration("v11-conversation-ratings") { db in
            try db.execute(sql: """
                -- The part's rating.created events: value > 0 (thumbs up) and the others (thumbs down).
                ALTER TABLE conversation_states ADD COLUMN thumbs_up INTEGER;
                ALTER TABLE conversation_states ADD COLUMN thumbs_down INTEGER;
                """)
        }
        // The top conversations also list each conversation's bot messages, which no part counted
        // apart from the others. As with v10 and v11, rows written before this version hold NULL
        // (read as 0) until a rebuild replays their events.
        migrator.registerMigration("v12-conversation-bot-messages") { db in
            try db.execute(sql: """
                -- The part's message.created events of type bot.
                ALTER TABLE conversation_states ADD COLUMN bot_messages INTEGER;
                """)
        }
        // The ingest_health report section shows Tally's own ingest figures, which no rebuild can
        // recover afterwards: each batch records them per UTC hour of its commit, in its own
        // transaction. A store rebuilt from the topics holds the figures of the rebuild's batches.
        migrator.registerMigration("v13-ingest-health") { db in
            try db.execute(sql: """
                -- Per tenant and UTC hour of the commit (ms since the epoch / 3,600,000): events
                -- counted and events skipped as duplicates.
                CREATE TABLE ingest_tenant_hours (
                    tenant TEXT NOT NULL,
                    hour INTEGER NOT NULL,
                    events INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant, hour)
                ) WITHOUT ROWID;
                -- Per UTC hour: batches committed, the largest lag (records behind the log end of a
                -- partition when a batch was cut), the longest record-to-commit time, and the rows
                -- the retention deleted.
                CREATE TABLE ingest_hours (
                    hour INTEGER PRIMARY KEY,
                    batches INTEGER NOT NULL DEFAULT 0,
                    max_lag INTEGER,
                    max_freshness_ms INTEGER,
                    pruned_dedupe_ids INTEGER NOT NULL DEFAULT 0,
                    pruned_dead_letters INTEGER NOT NULL DEFAULT 0
                );
                -- Per UTC hour and code: records kept as dead letters.
                CREATE TABLE ingest_dead_letter_hours (
                    hour INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (hour, code)
                ) WITHOUT ROWID;
                """)
        }
        // A tenant's conversation part records the bot and the channel that all of its events
        // carry, if one does (`SliceMarks`): that slice's part is then the same, and ingest takes
        // the tenant's state for it instead of reading it again. Rows written before this version
        // and rows that transplants write hold NULL, which only means "read the slice's own rows".
        migrator.registerMigration("v14-conversation-slice-marks") { db in
            try db.execute(sql: """
                -- On a tenant's part: the botId and the channel every event of the part carries;
                -- NULL when its events disagree, on a slice's part, and where not known.
                ALTER TABLE conversation_states ADD COLUMN marked_bot TEXT;
                ALTER TABLE conversation_states ADD COLUMN marked_channel TEXT;
                """)
        }
        return migrator
    }
}
