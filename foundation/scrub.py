"""The secret scrubber: every configured secret value, wherever it turns up, becomes a marker.

The config names environment variables that hold secrets (the X bearer token, Mastodon access
tokens, search-engine credentials, the session key, the metrics token). Loading the config
registers their values here, once per process; log lines, error text bound for the catalogue,
and every header and body the WARC writer archives pass through ``scrub_text`` or
``BytesScrubber``, which replace each value by ``[REDACTED:VARIABLE]``. Servers echo what they
were sent (a 401 body quoting the Authorization header), so request redaction alone is not
enough. Values shorter than ``MIN_SECRET_LENGTH`` are not scrubbed: replacing a short, common
string everywhere would damage archived records more than it protects.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

MIN_SECRET_LENGTH = 8

_lock = threading.Lock()
_secrets: dict[str, str] = {}
"""Secret value -> the name of the environment variable that held it."""


def register_secrets(values: Mapping[str, str | None]) -> None:
    """Remember ``{VARIABLE: value}`` for scrubbing; empty and short values are ignored."""
    with _lock:
        for variable, value in values.items():
            if value and len(value.strip()) >= MIN_SECRET_LENGTH:
                _secrets[value.strip()] = variable


def marker(variable: str) -> str:
    return f"[REDACTED:{variable}]"


def _longest_first() -> list[tuple[str, str]]:
    with _lock:
        return sorted(_secrets.items(), key=lambda item: -len(item[0]))


def scrub_text(text: str, found: set[str] | None = None) -> str:
    """``text`` with every registered secret replaced by its marker; the variables whose
    values were replaced are added to ``found``."""
    for value, variable in _longest_first():
        if value in text:
            text = text.replace(value, marker(variable))
            if found is not None:
                found.add(variable)
    return text


def scrub_json(value: Any) -> Any:
    """A JSON-like value with every string in it scrubbed (keys included)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub_json(k): scrub_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_json(v) for v in value]
    return value


class BytesScrubber:
    """Scrubs byte streams chunk by chunk, holding back the tail of each chunk that could be
    the start of a secret split across chunks; ``found`` names the variables replaced."""

    def __init__(self) -> None:
        self._secrets = [
            (value.encode("utf-8"), marker(variable).encode("ascii"), variable)
            for value, variable in _longest_first()
        ]
        self._keep = max((len(value) for value, _, _ in self._secrets), default=1) - 1
        self.found: set[str] = set()

    @property
    def active(self) -> bool:
        return bool(self._secrets)

    def scrub(self, data: bytes) -> bytes:
        """One whole value (a header, a small body) scrubbed."""
        for value, replacement, variable in self._secrets:
            if value in data:
                data = data.replace(value, replacement)
                self.found.add(variable)
        return data

    def chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The concatenation of ``chunks``, scrubbed, in bounded pieces."""
        if not self._secrets:
            yield from chunks
            return
        carry = b""
        for chunk in chunks:
            data = self.scrub(carry + chunk)
            if len(data) > self._keep:
                cut = len(data) - self._keep
                yield data[:cut]
                carry = data[cut:]
            else:
                carry = data
        if carry:
            yield self.scrub(carry)
