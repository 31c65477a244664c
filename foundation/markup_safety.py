"""Archived markup may carry control characters (NUL and friends) that XML, and so lxml, refuse
anywhere in a tree; the text a reader sees never contains them, so they are dropped before
parsing. Only the extractor's copy changes: the WARC keeps the bytes as they came."""

from __future__ import annotations

import re

_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(markup: str) -> str:
    return _CONTROL_TEXT.sub("", markup)


def xml_safe_bytes(markup: bytes) -> bytes:
    """For UTF-8 and single-byte encodings: these bytes never occur inside a multi-byte
    character there, so removing them cannot split one."""
    return _CONTROL_BYTES.sub(b"", markup)


def xml_safe_any(markup: bytes | str) -> bytes | str:
    return xml_safe(markup) if isinstance(markup, str) else xml_safe_bytes(markup)
