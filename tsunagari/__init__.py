"""Tsunagari: a platform for Japan's local public–private loneliness and isolation countermeasures."""
