"""Load the sources file and turn pydantic's complaints into messages a person can act on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.models import SOURCE_TYPES, ArchiverenConfig
from foundation.errors import ConfigError
from foundation.scrub import register_secrets


def load_config(path: Path | str, *, check_secrets: bool = True) -> ArchiverenConfig:
    """Read and validate ``path``. With ``check_secrets`` every environment variable named by an
    enabled source must be set; the message names the variable, never its value."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (give --config PATH or set ARCHIVEREN_CONFIG; see config/sources.example.yaml)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        raise ConfigError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: expected a mapping at the top level (organisation:, sources:, ...), found {type(raw).__name__}"
        )
    _check_source_types(path, raw)
    try:
        config = ArchiverenConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, raw, exc)) from None
    if check_secrets:
        _check_secrets(path, config)
    register_secrets(secret_values(config))
    return config


SECRET_FIELDS = (
    "bearer_token_env",
    "access_token_env",
    "api_key_env",
    "password_env",
    "secret_key_env",
    "metrics_token_env",
)
"""Fields that name an environment variable holding a secret (``username_env`` names none)."""


def secret_values(config: ArchiverenConfig) -> dict[str, str | None]:
    """``{VARIABLE: value}`` for every secret variable the config names, set or not."""
    holders: list[Any] = [*config.sources, config.search, config.server]
    variables = {getattr(holder, field, None) for holder in holders for field in SECRET_FIELDS}
    return {variable: os.environ.get(variable) for variable in sorted(v for v in variables if v)}


def secret_from_env(variable: str | None, *, what: str, source: str = "") -> str | None:
    """The value of a secret's environment variable; ``ConfigError`` naming the variable if unset."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if not value:
        where = f"source {source!r}: " if source else ""
        raise ConfigError(
            f"{where}{what} is read from environment variable {variable}, which is not set"
        )
    register_secrets({variable: value})
    return value


def _check_source_types(path: Path, raw: dict[str, Any]) -> None:
    sources = raw.get("sources") or []
    if not isinstance(sources, list):
        raise ConfigError(
            f"{path}: 'sources' must be a list of sources, found {type(sources).__name__}"
        )
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            raise ConfigError(
                f"{path}: sources[{i}] must be a mapping with at least 'name' and 'type'"
            )
        kind = source.get("type")
        name = source.get("name", f"#{i + 1}")
        if kind not in SOURCE_TYPES:
            raise ConfigError(
                f"{path}: source {name!r} (sources[{i}]): unknown source type {kind!r}; expected one of {', '.join(SOURCE_TYPES)}"
            )


def _describe(path: Path, raw: dict[str, Any], exc: ValidationError) -> str:
    lines = [f"{path}: invalid configuration:"]
    sources = raw.get("sources") or []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            index = loc[1]
            name = (
                sources[index].get("name", f"#{index + 1}")
                if index < len(sources)
                else f"#{index + 1}"
            )
            # pydantic puts the discriminator value in the location; drop it for readability
            field_parts = [str(p) for p in loc[2:] if p not in SOURCE_TYPES]
            field = ".".join(field_parts) or "(source)"
            where = f"source {name!r} (sources[{index}]), field '{field}'"
        else:
            where = f"field '{where}'"
        got = error.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        lines.append(f"  {where}: {error['msg']}{shown}")
    return "\n".join(lines)


def _check_secrets(path: Path, config: ArchiverenConfig) -> None:
    for source in config.sources:
        if not source.enabled:
            continue
        for field in ("bearer_token_env", "access_token_env"):
            variable = getattr(source, field, None)
            if variable and not os.environ.get(variable):
                raise ConfigError(
                    f"{path}: source {source.name!r}, field '{field}': environment variable {variable} is not set (export it before running; its value is never logged)"
                )
    search = config.search
    if search.search_backend != "tantivy":
        for field in ("api_key_env", "username_env", "password_env"):
            variable = getattr(search, field)
            if variable and not os.environ.get(variable):
                raise ConfigError(
                    f"{path}: search, field '{field}': environment variable {variable} is not set"
                )
