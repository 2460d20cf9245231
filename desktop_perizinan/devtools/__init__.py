"""Tools for development, tests and the demo (never used by an office in production)."""
