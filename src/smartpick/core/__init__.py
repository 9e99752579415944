"""Pure domain and math: no web, CLI, database or settings imports (checked by a test)."""
