"""engagement: see docs/architecture.md."""
