"""Configuration: the sources file (YAML) validated by pydantic into typed settings.

Use ``load_config(path)``; it raises ``ConfigError`` naming the file, the source, the field and
what was expected. Secrets are never in the file: sources name the environment variable that
holds them (``bearer_token_env: X_BEARER_TOKEN``) and ``secret_from_env`` reads it.
"""

from config.loader import load_config, secret_from_env
from config.models import (
    ArchiverenConfig,
    ArchiveSettings,
    FeedSource,
    HttpSettings,
    MastodonSource,
    NetworkSource,
    PleioSource,
    SearchSettings,
    SourceConfig,
    XArchiveSource,
    XSource,
)

__all__ = [
    "ArchiveSettings",
    "ArchiverenConfig",
    "FeedSource",
    "HttpSettings",
    "MastodonSource",
    "NetworkSource",
    "PleioSource",
    "SearchSettings",
    "SourceConfig",
    "XArchiveSource",
    "XSource",
    "load_config",
    "secret_from_env",
]
