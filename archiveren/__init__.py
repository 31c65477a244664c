"""archiveren: keep civil servants' public online work as government records.

This package holds what every stage shares: the command line, the error hierarchy, the
catalogue (SQLAlchemy) and the demo sources. The stages themselves live in the top-level
packages ``collectors``, ``archive``, ``indexer`` and ``search_ui``; ``config`` loads and
validates the sources file.
"""

__version__ = "0.1.0"
SOFTWARE = f"archiveren/{__version__}"
