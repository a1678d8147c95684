"""The local SQLite store: tables, migrations, the write path (repo) and full-text search."""
