"""Workspace: the config file and data dir a command works on, with its parts opened on demand.

Commands ask the workspace for the config, the catalogue, the archive directory or the search
backend; each is opened once, on first use, and closed when the command ends. Nothing is
created on disk until a command needs it, so a bad config never leaves a half-made data dir.

It is its own layer, above the stages (it opens the indexer's backends) and below what a
person works in: ``search_ui`` and the command line hold a Workspace. The stages take only
their parts: the collectors runner a config and a data dir, the indexing pipeline an
``IndexTarget`` and an export an ``ExportSource`` (config, archive dir, catalogue, backend),
both of which a Workspace is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.store import Catalogue
from config import load_config
from config.models import ArchiverenConfig
from indexer.backends import make_backend
from indexer.query_model import SearchBackend


@dataclass
class Workspace:
    config_path: Path
    data_dir: Path
    _config: ArchiverenConfig | None = None
    _catalogue: Catalogue | None = None
    _backend: SearchBackend | None = None
    _closers: list[Any] = field(default_factory=list)

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "warcs"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    def config(self, *, check_secrets: bool = True) -> ArchiverenConfig:
        if self._config is None:
            self._config = load_config(self.config_path, check_secrets=check_secrets)
        return self._config

    def use_config(self, config: ArchiverenConfig) -> None:
        self._config = config

    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.open(self.data_dir, self._database_url())
        return self._catalogue

    def _database_url(self) -> str | None:
        """The config's catalogue URL, read even by a command that has not loaded the config
        yet (a PostgreSQL catalogue must never be shadowed by a new SQLite one). Read without
        caching, so a later ``config()`` still checks the secrets it is asked to."""
        if self._config is not None:
            return self._config.database_url
        if not self.config_path.exists():
            return None
        return load_config(self.config_path, check_secrets=False).database_url

    def backend(self) -> SearchBackend:
        if self._backend is None:
            self._backend = make_backend(self.config(check_secrets=False).search, self.data_dir)
        return self._backend

    def close_backend(self) -> None:
        """Close the search backend (and with it tantivy's index writer, which a backend keeps
        once it has written); the next ``backend()`` opens it again. A process that has indexed
        and goes on only reading (the demo's web UI) frees the writer for others this way."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        if self._catalogue is not None:
            self._catalogue.close()
            self._catalogue = None
