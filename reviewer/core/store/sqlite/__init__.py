"""The SQLite backend: everything the store does that only SQLite does, in one place.

connection.py: the engine and raw connections with the app's pragmas, read-only opening, the raw
sqlite3 connection under a session (the write path). fts.py: the FTS5 search index (its table and
statements, CJK tokenizing, query building, the search's SQL). bulk.py: what a bulk import does to
the store (sort indexes dropped and rebuilt, the advisory lock that says one is running). A second
backend (PostgreSQL) is a package beside this one.
"""
