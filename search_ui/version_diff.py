"""The versions of one Post as the record page shows them: numbered oldest first, the current one
last, and a word-level diff between any two (difflib over words, spaces and punctuation, so a
Dutch word with diacritics or a changed figure shows as one changed word)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from foundation.post import Post
from foundation.post_version import PostVersion

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")

Change = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class DiffPiece:
    change: Change
    text: str


@dataclass(frozen=True)
class VersionChoice:
    """Which two versions to compare (1-based numbers), and, if the asked ones were not versions,
    what was asked (the page says so through the message ``record.versions_bad_choice``)."""

    older: int
    newer: int
    refused: str = ""


def all_versions(post: Post) -> list[PostVersion]:
    """Every wording of ``post``, oldest first, the current one last."""
    return [*post.versions, post.current_version()]


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """``old`` turned into ``new`` as runs of kept, removed and added text, word by word."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[DiffPiece] = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", "".join(after[j1:j2])))
    return pieces


def choose_versions(count: int, older: str, newer: str) -> VersionChoice:
    """The versions to compare from the record URL's ``van`` and ``naar`` (version numbers);
    by default the one before the current and the current. A number that is not a version is
    named in ``refused`` and the default used instead."""
    default = VersionChoice(max(count - 1, 1), count)
    if not older and not newer:
        return default
    asked = f"van={older[:20]} naar={newer[:20]}"
    try:
        chosen = (int(older or default.older), int(newer or default.newer))
    except ValueError:
        return VersionChoice(default.older, default.newer, asked)
    if not all(1 <= number <= count for number in chosen):
        return VersionChoice(default.older, default.newer, asked)
    return VersionChoice(min(chosen), max(chosen))
