"""directory: see docs/architecture.md."""
