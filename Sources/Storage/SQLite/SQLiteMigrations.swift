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
        return migrator
    }
}
