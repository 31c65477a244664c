"""Change the sources file the way an operator would by hand: add sources, disable or enable
them, import many at once. The file stays the source of truth and keeps its comments, order and
quoting (ruamel.yaml round-trips it); every change is validated as a whole config before it is
written, and written atomically, so a refused change leaves the file as it was."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from config.loader import parse_config
from config.models import ArchiverenConfig
from foundation.errors import ConfigError

CSV_COLUMNS = ("type", "account", "organisation", "schedule", "category")
"""The columns of an import: ``account`` holds the account (x, mastodon as user@instance) or the
URL (feed, network); schedule is a crontab expression; category the selectielijst category."""

DEFAULT_X_TOKEN_ENV = "X_BEARER_TOKEN"


class SourcesFile:
    """One sources file, opened for editing. Changes are made in memory; ``save`` validates the
    result as a config and replaces the file, or raises ``ConfigError`` and writes nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._yaml = YAML()
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096
        self._yaml.indent(mapping=2, sequence=4, offset=2)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
        self._yaml.indent(**_indentation(text))
        document = self._yaml.load(text)
        self._document: CommentedMap = document if document is not None else CommentedMap()
        if not isinstance(self._document, CommentedMap):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        if self._document.get("sources") is None:
            self._document["sources"] = CommentedSeq()

    @property
    def sources(self) -> CommentedSeq:
        listed = self._document["sources"]
        if not isinstance(listed, CommentedSeq):
            raise ConfigError(f"{self.path}: 'sources' must be a list of sources")
        return listed

    def names(self) -> set[str]:
        return {str(s.get("name")) for s in self.sources if isinstance(s, dict)}

    def add(self, source: dict[str, Any]) -> None:
        if source["name"] in self.names():
            raise ConfigError(f"{self.path}: a source named {source['name']!r} exists already")
        self.sources.append(CommentedMap(source))

    def set_enabled(self, name: str, enabled: bool) -> None:
        entry = self._entry(name)
        if enabled:
            entry.pop("enabled", None)  # enabled is the default: say nothing
        else:
            entry["enabled"] = False

    def _entry(self, name: str) -> CommentedMap:
        for entry in self.sources:
            if isinstance(entry, CommentedMap) and entry.get("name") == name:
                return entry
        known = ", ".join(sorted(self.names())) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r}; known: {known}")

    def save(self) -> ArchiverenConfig:
        """Validate the edited file as a config (secrets' variables need not be set here) and
        put it in place of the old one atomically, keeping its permissions."""
        buffer = io.StringIO()
        self._yaml.dump(self._document, buffer)
        text = buffer.getvalue()
        config = parse_config(self.path, text, check_secrets=False)
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o600
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return config


def source_from_row(
    row: dict[str, str], *, taken: set[str], x_token_env: str = DEFAULT_X_TOKEN_ENV
) -> dict[str, Any]:
    """A source entry for one account or URL: its type, a name made from the account or URL
    (unique among ``taken``), and the organisation, schedule and category when given."""
    kind = (row.get("type") or "").strip().lower()
    target = (row.get("account") or row.get("url") or "").strip()
    if not target:
        raise ConfigError("no account or URL given")
    if kind == "x":
        handle = target.removeprefix("@")
        source: dict[str, Any] = {
            "name": f"x-{handle}",
            "type": "x",
            "accounts": [handle],
            "bearer_token_env": x_token_env,
        }
    elif kind == "mastodon":
        user, _, instance = target.removeprefix("@").partition("@")
        if not user or not instance:
            raise ConfigError(f"{target!r}: expected a Mastodon account as user@instance")
        source = {
            "name": f"mastodon-{user}-{instance}",
            "type": "mastodon",
            "instance": f"https://{instance}",
            "accounts": [user],
        }
    elif kind in ("feed", "network"):
        parts = urlsplit(target)
        slug = "-".join(p for p in [parts.hostname or "", *parts.path.split("/")] if p)
        source = {"name": f"{kind}-{slug}" if kind == "network" else slug, "type": kind}
        source.update({"url": target} if kind == "feed" else {"start_urls": [target]})
    else:
        raise ConfigError(f"unknown type {kind!r}; expected x, mastodon, feed or network")
    source["name"] = _unique(_clean_name(source["name"]), taken)
    if organisation := (row.get("organisation") or "").strip():
        source["organisation"] = organisation
    if schedule := (row.get("schedule") or "").strip():
        source["schedule"] = {"cron": schedule}
    if category := (row.get("category") or "").strip():
        source["retention"] = {"category": category}
    return source


def sources_from_csv(
    text: str, *, taken: set[str], x_token_env: str = DEFAULT_X_TOKEN_ENV
) -> list[dict[str, Any]]:
    """Source entries for every row of a CSV with ``CSV_COLUMNS`` (a header row, or the columns
    in that order); ``ConfigError`` listing every row that could not be read, by line number."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ConfigError("the list is empty: give one account or URL per line")
    first = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    has_header = "type" in first and ("account" in first or "url" in first)
    rows: Iterable[dict[str, str]] = (
        csv.DictReader(lines)
        if has_header
        else csv.DictReader(lines, fieldnames=list(CSV_COLUMNS), restkey="extra")
    )
    names = set(taken)
    sources, problems = [], []
    for number, row in enumerate(rows, start=2 if has_header else 1):
        try:
            source = source_from_row(row, taken=names, x_token_env=x_token_env)
        except ConfigError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        names.add(source["name"])
        sources.append(source)
    if problems:
        raise ConfigError("the list could not be read:\n  " + "\n  ".join(problems))
    return sources


def x_token_env_in_use(path: Path) -> str:
    """The variable the file's X sources already read their token from, else the default."""
    for entry in SourcesFile(path).sources:
        if isinstance(entry, dict) and entry.get("type") == "x" and entry.get("bearer_token_env"):
            return str(entry["bearer_token_env"])
    return DEFAULT_X_TOKEN_ENV


def _clean_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-._")
    return cleaned or "source"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


def _indentation(text: str) -> dict[str, int]:
    """How the file indents a sequence under a key: ``sources:\\n- name`` (PyYAML's way, offset
    0) or ``sources:\\n  - name`` (offset 2), so an added entry looks like the others."""
    match = re.search(r"^sources:\s*\n( *)- ", text, flags=re.MULTILINE)
    offset = len(match.group(1)) if match else 2
    return {"mapping": 2, "sequence": offset + 2, "offset": offset}
