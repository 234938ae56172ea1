"""joinedup: joined-up health and care for a local care partnership."""

__version__ = "0.1.0"
