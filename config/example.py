"""Render ``config/sources.example.yaml`` from the settings models, so the documented options are
exactly the validated ones: every field appears with its description as a comment.

Run ``python -m config.example > config/sources.example.yaml`` after changing config/models.py;
a test fails while the committed file is out of date.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from config.models import (
    ArchiverenConfig,
    FeedSource,
    MastodonSource,
    NetworkSource,
    PleioSource,
    XArchiveSource,
    XSource,
)

EXAMPLE_SOURCES: list[dict[str, Any]] = [
    {
        "name": "blog-jansen",
        "type": "feed",
        "organisation": "Gemeente Utrecht",
        "url": "https://blog.example.nl/feed/",
        "schedule": {"cron": "0 */6 * * *"},
        "retention": {"category": "1.1", "years": 10},
    },
    {
        "name": "x-ministerie",
        "type": "x",
        "organisation": "Ministerie van BZK",
        "accounts": ["minbzk"],
        "queries": ["#ambtenaar20"],
        "bearer_token_env": "X_BEARER_TOKEN",
        "schedule": {"interval_seconds": 3600},
    },
    {
        "name": "x-archief-bzk",
        "type": "x_archive",
        "organisation": "Ministerie van BZK",
        "path": "/srv/archief/x-archive-minbzk.zip",
    },
    {
        "name": "mastodon-rijksoverheid",
        "type": "mastodon",
        "organisation": "Rijksoverheid",
        "instance": "https://social.overheid.nl",
        "accounts": ["@minbzk@social.overheid.nl"],
        "hashtags": ["woo"],
    },
    {
        "name": "ambtenaar20-netwerk",
        "type": "network",
        "organisation": "Ambtenaar 2.0",
        "start_urls": ["https://ambtenaar20.example.nl/"],
        "profile": "ning",
        "max_depth": 4,
    },
    {
        "name": "pleio-samenwerken",
        "type": "pleio",
        "organisation": "Ministerie van BZK",
        "url": "https://samenwerken.pleio.nl/",
        "subtypes": ["blog", "discussion", "question"],
    },
]
SOURCE_MODELS: dict[str, type[BaseModel]] = {
    "feed": FeedSource,
    "x": XSource,
    "x_archive": XArchiveSource,
    "mastodon": MastodonSource,
    "network": NetworkSource,
    "pleio": PleioSource,
}


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _default(field: FieldInfo) -> Any:
    if field.default is not PydanticUndefined:
        return field.default
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return PydanticUndefined


def _render_model(
    model: type[BaseModel], values: dict[str, Any], indent: str, lines: list[str]
) -> None:
    for name, field in model.model_fields.items():
        if field.description:
            lines.append(f"{indent}# {field.description}")
        value = values.get(name, _default(field))
        annotation = field.annotation
        nested = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        optional = _optional_model(annotation)
        if value is PydanticUndefined:
            lines.append(f"{indent}{name}:   # required")
        elif nested is not None:
            lines.append(f"{indent}{name}:")
            inner = value.model_dump() if isinstance(value, BaseModel) else dict(value)
            _render_model(nested, inner, indent + "  ", lines)
        elif isinstance(value, BaseModel):
            lines.append(f"{indent}{name}: {_scalar(value.model_dump(exclude_none=True))}")
        elif value is None and optional is not None:
            lines.append(f"{indent}# {name}: (not set; its fields, when set:)")
            _render_model(optional, {}, indent + "#   ", lines)
        elif value is None and name not in values:
            lines.append(f"{indent}# {name}: (not set)")
        else:
            lines.append(f"{indent}{name}: {_scalar(value)}")


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """``M`` for a field typed ``M | None`` with ``M`` a settings model, else None."""
    members = [a for a in get_args(annotation) if a is not type(None)]
    if len(members) == 1 and isinstance(members[0], type) and issubclass(members[0], BaseModel):
        return members[0]
    return None


def render_example() -> str:
    lines = [
        "# archiveren configuration: every option, with its default. Generated from config/models.py",
        "# by `python -m config.example`; copy it to config/sources.yaml and edit.",
        "# Secrets never go in this file: sources name the environment variable that holds them.",
        "",
    ]
    top = {
        name: field for name, field in ArchiverenConfig.model_fields.items() if name != "sources"
    }
    settings = ArchiverenConfig.model_construct()
    for name, field in top.items():
        if field.description:
            lines.append(f"# {field.description}")
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            lines.append(f"{name}:")
            _render_model(type(value), value.model_dump(), "  ", lines)
        elif value is None:
            lines.append(f"# {name}: (not set)")
        else:
            lines.append(f"{name}: {_scalar(value)}")
        lines.append("")
    lines.append("# One entry per source; 'type' says which collector runs it.")
    lines.append("sources:")
    for example in EXAMPLE_SOURCES:
        model = SOURCE_MODELS[example["type"]]
        lines.append(
            f"  # --- type {example['type']}: {model.__doc__.strip().splitlines()[0] if model.__doc__ else ''}"
        )
        body: list[str] = []
        _render_model(model, example, "    ", body)
        first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
        body[first] = "  - " + body[first].lstrip()
        lines.extend(body)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_example(), end="")
