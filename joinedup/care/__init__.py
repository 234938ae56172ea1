"""care: see docs/architecture.md."""
