"""Framework-free helpers that do not depend on Django."""
