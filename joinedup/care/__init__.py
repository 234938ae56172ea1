"""care: see ARCHITECTURE.md; its models arrive with its issue."""
