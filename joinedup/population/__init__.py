"""population: see docs/architecture.md."""
