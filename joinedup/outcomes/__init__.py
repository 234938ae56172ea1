"""outcomes: the partnership's indicators kept month by month (see docs/architecture.md)."""
