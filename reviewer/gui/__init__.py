"""The desktop app (PySide6). Qt lives only here; it drives reviewer.core."""
