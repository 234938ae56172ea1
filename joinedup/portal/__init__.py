"""portal: see docs/architecture.md."""
