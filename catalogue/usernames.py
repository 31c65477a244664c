"""What a user name may be. Names appear in the audit log beside the names the command line and
the scheduler act under, so they must be unmistakable: Unicode normalised to NFKC (a full-width
or composed look-alike becomes the one plain form), then only letters, digits and ``. - _``,
starting with a letter or digit, at most 64 characters, not a reserved name such as ``cli``,
and not differing from an existing account by case alone. Invisible characters (zero-width
spaces, controls, NUL) and spaces are refused, never silently stripped, so the person adding
the account sees what they typed."""

from __future__ import annotations

import re
import unicodedata

from foundation.errors import ArchiverenError

MAX_LENGTH = 64
RESERVED = frozenset({"cli", "root", "system", "scheduler", "anonymous"})
"""Names the command line, the scheduler and the system act under in the audit log."""

_ALLOWED = re.compile(r"[^\W_]|[._-]")


class UserNameError(ArchiverenError):
    """A user name breaks the rules; the message names the character or rule and where."""


def canonical_username(name: str) -> str:
    """``name`` in the form accounts are stored and looked up under (NFKC), without checking it."""
    return unicodedata.normalize("NFKC", name)


def valid_username(name: str) -> str:
    """The canonical form of a new user name, or UserNameError saying what is wrong with it."""
    canonical = canonical_username(name)
    if not canonical:
        raise UserNameError("the user name is empty")
    if len(canonical) > MAX_LENGTH:
        raise UserNameError(
            f"user name {canonical[:20]!r}…: at most {MAX_LENGTH} characters, got {len(canonical)}"
        )
    for position, char in enumerate(canonical, start=1):
        if not _ALLOWED.fullmatch(char):
            unnamed = "a control character" if unicodedata.category(char) == "Cc" else "unnamed"
            what = unicodedata.name(char, unnamed)
            raise UserNameError(
                f"user name {name!r}: character {position} is {what} (U+{ord(char):04X}); "
                "only letters, digits and . - _ are allowed"
            )
    if not canonical[0].isalnum():
        raise UserNameError(f"user name {name!r}: must start with a letter or digit")
    if canonical.casefold() in RESERVED:
        raise UserNameError(
            f"user name {name!r} is reserved (the command line, the scheduler or the system act "
            f"under it in the audit log); reserved: {', '.join(sorted(RESERVED))}"
        )
    return canonical
