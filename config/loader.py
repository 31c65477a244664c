"""Load the sources file and turn pydantic's complaints into messages a person can act on."""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.models import ENV_NAME, SOURCE_TYPES, ArchiverenConfig
from foundation.errors import ConfigError
from foundation.scrub import register_secrets


def load_config(path: Path | str, *, check_secrets: bool = True) -> ArchiverenConfig:
    """Read and validate ``path``: every mistake at once, each naming the source, the field and
    what was expected. With ``check_secrets`` every environment variable named by an enabled
    source must be set; messages name the variable, never a value that may be a secret."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (give --config PATH or set ARCHIVEREN_CONFIG; see config/sources.example.yaml)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    config = parse_config(path, text, check_secrets=check_secrets)
    register_secrets(secret_values(config))
    return config


def parse_config(path: Path, text: str, *, check_secrets: bool = True) -> ArchiverenConfig:
    """Validate ``text`` as the config file ``path`` (named in the messages) would be."""
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
    structure, mistyped = _source_list_problems(raw)
    unset = _unset_secrets(raw) if check_secrets else []
    try:
        config = ArchiverenConfig.model_validate(raw)
    except ValidationError as exc:
        fields = _describe(raw, exc, skip_sources=mistyped)
        raise ConfigError(_invalid(path, structure + fields + unset)) from None
    if structure or unset:
        raise ConfigError(_invalid(path, structure + unset))
    return config


def require_secrets(path: Path, config: ArchiverenConfig, sources: Collection[str]) -> None:
    """``ConfigError`` listing every unset secret variable the named sources need (all enabled
    sources when ``sources`` is empty): one source's missing token blocks only that source."""
    problems = missing_secrets(config, sources)
    if problems:
        raise ConfigError(_invalid(path, problems))


def missing_secrets(config: ArchiverenConfig, sources: Collection[str] = ()) -> list[str]:
    """A line for each secret variable that is named but not set, for the enabled sources (or
    the named ones) and for a search cluster."""
    return _unset_secrets(config.model_dump(), sources)


def _unset_secrets(raw: dict[str, Any], sources: Collection[str] = ()) -> list[str]:
    """``missing_secrets`` over the file as read, so that an unset variable is listed with the
    file's other mistakes; entries too malformed to tell are left to validation."""
    problems = []
    listed = raw.get("sources")
    for source in listed if isinstance(listed, list) else []:
        if not isinstance(source, dict):
            continue
        name = source.get("name")
        if not (name in sources if sources else source.get("enabled", True) is not False):
            continue
        for field in ("bearer_token_env", "access_token_env"):
            variable = source.get(field)
            if _unset(variable):
                problems.append(
                    f"source {name!r}, field '{field}': environment variable {variable} is not set (export it before running; its value is never logged)"
                )
    archive = raw.get("archive")
    bucket = archive.get("s3") if isinstance(archive, dict) else None
    if isinstance(archive, dict) and archive.get("storage") == "s3" and isinstance(bucket, dict):
        for field, default in (
            ("access_key_env", "ARCHIVEREN_S3_ACCESS_KEY"),
            ("secret_key_env", "ARCHIVEREN_S3_SECRET_KEY"),
        ):
            variable = bucket.get(field, default)
            if _unset(variable):
                problems.append(
                    f"archive.s3, field '{field}': environment variable {variable} is not set (export it before running; its value is never logged)"
                )
    search = raw.get("search")
    if isinstance(search, dict) and search.get("search_backend", "tantivy") != "tantivy":
        for field in ("api_key_env", "username_env", "password_env"):
            variable = search.get(field)
            if _unset(variable):
                problems.append(
                    f"search, field '{field}': environment variable {variable} is not set"
                )
    return problems


def _unset(variable: Any) -> bool:
    """A well-formed variable name that is not set (a malformed one is validation's to say)."""
    return (
        isinstance(variable, str)
        and bool(ENV_NAME.match(variable))
        and not os.environ.get(variable)
    )


SECRET_FIELDS = (
    "bearer_token_env",
    "access_token_env",
    "api_key_env",
    "password_env",
    "secret_key_env",
    "access_key_env",
    "metrics_token_env",
)
"""Fields that name an environment variable holding a secret (``username_env`` names none)."""


def secret_values(config: ArchiverenConfig) -> dict[str, str | None]:
    """``{VARIABLE: value}`` for every secret variable the config names, set or not."""
    holders: list[Any] = [*config.sources, config.search, config.server, config.archive.s3]
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


def _source_list_problems(raw: dict[str, Any]) -> tuple[list[str], set[int]]:
    """Problems pydantic would state less clearly: the sources list's shape, unknown types and
    names used twice; and the indexes of sources whose type is unknown."""
    sources = raw.get("sources") or []
    if not isinstance(sources, list):
        return [f"'sources' must be a list of sources, found {type(sources).__name__}"], set()
    problems: list[str] = []
    mistyped: set[int] = set()
    first_index: dict[str, int] = {}
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            problems.append(f"sources[{i}] must be a mapping with at least 'name' and 'type'")
            mistyped.add(i)
            continue
        kind = source.get("type")
        name = source.get("name", f"#{i + 1}")
        if kind not in SOURCE_TYPES:
            problems.append(
                f"source {name!r} (sources[{i}]): unknown source type {kind!r}; expected one of {', '.join(SOURCE_TYPES)}"
            )
            mistyped.add(i)
        if isinstance(name, str) and name in first_index:
            problems.append(
                f"source {name!r} is used twice (sources[{first_index[name]}] and sources[{i}]); names must be unique"
            )
        first_index.setdefault(str(name), i)
    return problems, mistyped


def _describe(raw: dict[str, Any], exc: ValidationError, skip_sources: set[int]) -> list[str]:
    lines = []
    sources = raw.get("sources") or []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            index = loc[1]
            if index in skip_sources:
                continue  # its unknown type is said already
            name = (
                sources[index].get("name", f"#{index + 1}")
                if index < len(sources) and isinstance(sources[index], dict)
                else f"#{index + 1}"
            )
            # pydantic puts the discriminator value in the location; drop it for readability
            field_parts = [str(p) for p in loc[2:] if p not in SOURCE_TYPES]
            field = ".".join(field_parts) or "(source)"
            where = f"source {name!r} (sources[{index}]), field '{field}'"
        elif loc:
            field = ".".join(str(part) for part in loc)
            where = f"field '{field}'"
        else:
            field, where = "", ""
        message = error["msg"].removeprefix("Value error, ")
        if "is used twice" in message:
            continue  # said by _source_list_problems, with both places
        lines.append(f"{where}: {message}{_shown(field, error.get('input'))}" if where else message)
    return lines


SECRET_LOOKING = re.compile(r"^[^\s]{20,}$")
"""A long value without spaces: a token, a key, a password pasted where a name belongs."""


def _shown(field: str, value: Any) -> str:
    """`` (got …)`` after a message, unless the value could be a secret: fields that name a
    secret's variable, and anything long without spaces, are never echoed."""
    if value is None or isinstance(value, dict | list):
        return ""
    if field.endswith("_env") or any(
        word in field for word in ("token", "secret", "password", "key")
    ):
        return " (the value is not shown: it may be a secret)"
    if isinstance(value, str) and "@" in value.partition("://")[2].partition("/")[0]:
        return " (the value is not shown: a URL with a user name or password in it)"
    if isinstance(value, str) and SECRET_LOOKING.match(value) and "://" not in value:
        return " (the value is not shown: it may be a secret)"
    return f" (got {value!r})"


def _invalid(path: Path, problems: list[str]) -> str:
    count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    return "\n".join([f"{path}: invalid configuration, {count}:", *(f"  {p}" for p in problems)])
