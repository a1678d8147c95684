"""The Qt-free core: records, importers, the store, search, comparison, notes and reports."""
