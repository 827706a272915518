import Core
import GRDB

/// The SQLite schema, as an append-only list of migrations: never edit one that has shipped, add a new one,
/// and add its twin (same name) to `PostgresMigrations`.
/// Times are integer seconds since the Unix epoch, UTC, in every table.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: users, sessions, events, settings, clicks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        email TEXT NOT NULL COLLATE NOCASE UNIQUE,
                        password_hash TEXT NOT NULL,
                        full_name TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE sessions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX sessions_user_id ON sessions(user_id);
                    CREATE INDEX sessions_expires_at ON sessions(expires_at);
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        public_id TEXT NOT NULL UNIQUE,
                        title TEXT NOT NULL,
                        description TEXT NOT NULL DEFAULT '',
                        start_datetime INTEGER NOT NULL,
                        end_datetime INTEGER NOT NULL,
                        timezone TEXT NOT NULL DEFAULT 'UTC',
                        webinar_url TEXT NOT NULL,
                        customization_settings TEXT NOT NULL DEFAULT '{}',
                        sequence INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        CHECK (end_datetime > start_datetime)
                    );
                    CREATE INDEX events_user_id_created_at ON events(user_id, created_at DESC, id DESC);
                    CREATE INDEX events_updated_at ON events(updated_at);
                    CREATE TABLE user_settings (
                        user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
                        iframe_defaults TEXT NOT NULL DEFAULT '{}',
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE widget_interactions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        interaction_type TEXT NOT NULL,
                        clicked_at INTEGER NOT NULL,
                        ip_address TEXT,
                        user_agent TEXT
                    );
                    CREATE INDEX widget_interactions_event_id_clicked_at ON widget_interactions(event_id, clicked_at);
                    CREATE INDEX widget_interactions_clicked_at ON widget_interactions(clicked_at);
                    CREATE TABLE interaction_counts (
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        bucket_start INTEGER NOT NULL,
                        interaction_type TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (event_id, bucket_start, interaction_type)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: change log for the tracker's link table") { db in
            // Every change that can alter an event's redirects (the event itself, or its organizer's
            // defaults, which decide the offered providers) appends the event's public id here, so
            // a tracker in another process can follow changes with one indexed query per poll.
            try db.execute(
                sql: """
                    CREATE TABLE link_changes (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        public_id TEXT NOT NULL,
                        changed_at INTEGER NOT NULL DEFAULT (unixepoch())
                    );
                    CREATE TRIGGER link_changes_event_insert AFTER INSERT ON events BEGIN
                        INSERT INTO link_changes (public_id) VALUES (NEW.public_id);
                    END;
                    CREATE TRIGGER link_changes_event_update AFTER UPDATE ON events BEGIN
                        INSERT INTO link_changes (public_id) VALUES (NEW.public_id);
                    END;
                    CREATE TRIGGER link_changes_event_delete AFTER DELETE ON events BEGIN
                        INSERT INTO link_changes (public_id) VALUES (OLD.public_id);
                    END;
                    CREATE TRIGGER link_changes_settings_insert AFTER INSERT ON user_settings BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE user_id = NEW.user_id;
                    END;
                    CREATE TRIGGER link_changes_settings_update AFTER UPDATE ON user_settings BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE user_id = NEW.user_id;
                    END;
                    """)
        }
        migrator.registerMigration("v3: how far the change log was pruned") { db in
            // One row: the highest sequence number pruning deleted. A follower whose position is
            // below it missed changes and reloads everything instead of trusting the log.
            try db.execute(
                sql: """
                    CREATE TABLE link_changes_pruned (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        through_seq INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4: event life cycle, feeds and tombstones") { db in
            // status/recording_url/listed are the organizer's; *_published_for record which end
            // time the scheduler last rendered "ended" and "dropped from the feed" for, so an
            // edit that moves the end makes the render due again without any reset logic.
            // feed_id names the organizer's feed in public URLs (32 hex digits: a valid public id).
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled'
                        CHECK (status IN ('scheduled', 'cancelled'));
                    ALTER TABLE events ADD COLUMN recording_url TEXT;
                    ALTER TABLE events ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE events ADD COLUMN ended_published_for INTEGER;
                    ALTER TABLE events ADD COLUMN aged_published_for INTEGER;
                    -- A series' rule (JSON, NULL for a one-off), when its last session ends (NULL:
                    -- end_datetime, for rows other tools insert) and when its widget must next
                    -- move on to the following session.
                    ALTER TABLE events ADD COLUMN recurrence TEXT;
                    ALTER TABLE events ADD COLUMN last_end INTEGER;
                    ALTER TABLE events ADD COLUMN session_render_at INTEGER;
                    CREATE INDEX events_session_render_at ON events(session_render_at) WHERE session_render_at IS NOT NULL;
                    CREATE INDEX events_end_datetime ON events(end_datetime);
                    CREATE INDEX events_user_id_end_datetime ON events(user_id, end_datetime);
                    ALTER TABLE users ADD COLUMN feed_id TEXT;
                    UPDATE users SET feed_id = lower(hex(randomblob(16)));
                    CREATE UNIQUE INDEX users_feed_id ON users(feed_id);
                    -- SQLite cannot add a column with a computed default: rows inserted without
                    -- a feed id (other tools, old scripts) get one here.
                    CREATE TRIGGER users_feed_id_default AFTER INSERT ON users WHEN NEW.feed_id IS NULL BEGIN
                        UPDATE users SET feed_id = lower(hex(randomblob(16))) WHERE id = NEW.id;
                    END;
                    CREATE TABLE event_tombstones (
                        public_id TEXT PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        title TEXT NOT NULL,
                        description TEXT NOT NULL,
                        start_datetime INTEGER NOT NULL,
                        end_datetime INTEGER NOT NULL,
                        timezone TEXT NOT NULL,
                        webinar_url TEXT NOT NULL,
                        customization_settings TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        listed INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        deleted_at INTEGER NOT NULL,
                        recurrence TEXT,
                        last_end INTEGER
                    );
                    CREATE INDEX event_tombstones_user_id_end_datetime ON event_tombstones(user_id, end_datetime);
                    CREATE INDEX event_tombstones_end_datetime ON event_tombstones(end_datetime);
                    CREATE TRIGGER link_changes_tombstone_delete AFTER DELETE ON event_tombstones BEGIN
                        INSERT INTO link_changes (public_id) VALUES (OLD.public_id);
                    END;
                    -- The defaults also name the organizer's feed and set its language: log the
                    -- feed too, so followers rebuild it even for an organizer without events.
                    DROP TRIGGER link_changes_settings_insert;
                    DROP TRIGGER link_changes_settings_update;
                    CREATE TRIGGER link_changes_settings_insert AFTER INSERT ON user_settings BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE user_id = NEW.user_id;
                        INSERT INTO link_changes (public_id) SELECT feed_id FROM users WHERE id = NEW.user_id AND feed_id IS NOT NULL;
                    END;
                    CREATE TRIGGER link_changes_settings_update AFTER UPDATE ON user_settings BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE user_id = NEW.user_id;
                        INSERT INTO link_changes (public_id) SELECT feed_id FROM users WHERE id = NEW.user_id AND feed_id IS NOT NULL;
                    END;
                    """)
        }
        migrator.registerMigration("v5: views, visitors and placements") { db in
            // Placements are changes of their event (the widget files and the tracker's table
            // know them), so they are logged like one. Traffic rollups: hourly per event and
            // placement (0: the event's own widget; no foreign key, so a deleted placement's
            // traffic stays in the event's totals), and daily per event, which the organizer
            // overview reads (days, not hours, whatever the traffic). Clicks from before this
            // migration enter both as the event's own widget's.
            try db.execute(
                sql: """
                    CREATE TABLE placements (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        public_key TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX placements_event_id_name ON placements(event_id, lower(name));
                    CREATE TRIGGER link_changes_placement_insert AFTER INSERT ON placements BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE id = NEW.event_id;
                    END;
                    CREATE TRIGGER link_changes_placement_delete AFTER DELETE ON placements BEGIN
                        INSERT INTO link_changes (public_id) SELECT public_id FROM events WHERE id = OLD.event_id;
                    END;
                    ALTER TABLE widget_interactions ADD COLUMN placement_id INTEGER;
                    CREATE TABLE widget_views (
                        id INTEGER PRIMARY KEY,
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        placement_id INTEGER,
                        viewed_at INTEGER NOT NULL
                    );
                    CREATE INDEX widget_views_event_id_viewed_at ON widget_views(event_id, viewed_at);
                    CREATE TABLE traffic_hourly (
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        bucket_start INTEGER NOT NULL,
                        placement_id INTEGER NOT NULL DEFAULT 0,
                        views INTEGER NOT NULL DEFAULT 0,
                        clicks INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (event_id, bucket_start, placement_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE traffic_daily (
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        day_start INTEGER NOT NULL,
                        views INTEGER NOT NULL DEFAULT 0,
                        clicks INTEGER NOT NULL DEFAULT 0,
                        unique_visitors INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (event_id, day_start)
                    ) WITHOUT ROWID;
                    CREATE TABLE visitor_sketches (
                        event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                        day_start INTEGER NOT NULL,
                        sketch BLOB NOT NULL,
                        PRIMARY KEY (event_id, day_start)
                    );
                    CREATE TABLE visitor_secrets (
                        day_start INTEGER PRIMARY KEY,
                        secret BLOB NOT NULL
                    );
                    INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, views, clicks)
                        SELECT event_id, bucket_start, 0, 0, SUM(count) FROM interaction_counts GROUP BY event_id, bucket_start;
                    INSERT INTO traffic_daily (event_id, day_start, views, clicks, unique_visitors)
                        SELECT event_id, bucket_start - bucket_start % 86400, 0, SUM(count), 0 FROM interaction_counts GROUP BY 1, 2;
                    """)
        }
        migrator.registerMigration("v6: self-service accounts, API tokens, mail and webhook outboxes") { db in
            // Tokens of every kind are stored as their SHA-256 only. Scopes and webhook event
            // types are space-separated words. The outboxes keep a row until it is done, so a
            // crash or a receiver that is down loses nothing; `next_attempt_at` doubles as the
            // lease of the dispatcher working on it. Deleting a user deletes every row of theirs
            // (foreign keys), and logs their feed id so other nodes remove the feed file.
            try db.execute(
                sql: """
                    CREATE TABLE account_tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        purpose TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        new_email TEXT,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX account_tokens_user_id ON account_tokens(user_id);
                    CREATE TABLE api_tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER,
                        last_used_at INTEGER
                    );
                    CREATE INDEX api_tokens_user_id ON api_tokens(user_id);
                    CREATE TABLE mail_outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                        recipient TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        text_body TEXT NOT NULL,
                        html_body TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL
                    );
                    CREATE INDEX mail_outbox_next_attempt_at ON mail_outbox(next_attempt_at);
                    CREATE INDEX mail_outbox_user_id ON mail_outbox(user_id);
                    CREATE TABLE webhooks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        url TEXT NOT NULL,
                        events TEXT NOT NULL,
                        description TEXT,
                        secret TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX webhooks_user_id ON webhooks(user_id);
                    CREATE TABLE webhook_deliveries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                        delivery_id TEXT NOT NULL UNIQUE,
                        event_type TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        data TEXT NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        response_status INTEGER,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        finished_at INTEGER
                    );
                    CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
                    CREATE INDEX webhook_deliveries_order ON webhook_deliveries(webhook_id, subject, id);
                    CREATE TRIGGER link_changes_user_delete AFTER DELETE ON users WHEN OLD.feed_id IS NOT NULL BEGIN
                        INSERT INTO link_changes (public_id) VALUES (OLD.feed_id);
                    END;
                    """)
        }
        return migrator
    }
}
