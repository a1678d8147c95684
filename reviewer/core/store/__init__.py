"""The local store: its columns declared once (columns), the record <-> rows mapping, writing,
reading, the library's query and deleting; tables and migrations; the SQLite backend (sqlite/)."""
