"""Schema of the plugin store, applied in number order by app/plugins/runner.py."""


def m001_plugin_state(db):
    db.execute("CREATE TABLE plugin_state (plugin text PRIMARY KEY, enabled boolean NOT NULL)")


def m002_plugin_summary(db):
    db.execute("CREATE VIEW plugin_summary AS SELECT plugin, enabled FROM plugin_state")
    db.execute("CREATE TABLE plugin_audit (id serial PRIMARY KEY, plugin text)")


def m003_plugin_versions(db):
    db.execute("DROP VIEW plugin_summary")
    db.execute("ALTER TABLE plugin_state ADD COLUMN version text")
    db.execute(
        "CREATE VIEW plugin_summary AS SELECT plugin, enabled, version FROM plugin_state"
    )


def m004_drop_plugin_audit(db):
    db.execute("DROP TABLE plugin_audit")
