"""Qt item models: thin adapters over reviewer.core (ids in, rows fetched when shown)."""
