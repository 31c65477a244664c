"""The field vocabulary every search backend shares: which names a query may use, which are
analysed Dutch text, exact keywords or dates, how keyword values are normalised, and how a date
falls into a histogram bucket. The query parser validates against it and each backend indexes
and translates by it, so that tantivy and Elasticsearch answer a query the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from foundation.post import Post
from indexer.query_model import Interval

TEXT_FIELDS: tuple[str, ...] = ("title", "text", "earlier_text")
"""Analysed with the Dutch analyser (lowercase, ASCII folding, Snowball stemming). Each also has
an unstemmed, lowercased and ASCII-folded copy that wildcards and fuzzy words search besides the
stems, so ``samenwerkin*`` meets ``samenwerking`` and ``ambtenar~1`` meets ``ambtenaar``.
``earlier_text`` is not a field of the Post: it holds the titles and texts of its earlier
versions (text_value), so a word that was edited away still finds it."""

KEYWORD_FIELDS: tuple[str, ...] = (
    "id",
    "platform",
    "source",
    "organisation",
    "kind",
    "author",
    "author_handle",
    "hashtags",
    "mentions",
    "lang",
    "url",
    "thread_id",
    "parent_id",
    "changed",
    "deleted",
)
"""Matched exactly (after normalise_keyword); usable in filters, facets and field:value."""

FLAG_FIELDS: tuple[str, ...] = ("changed", "deleted")
"""Keyword fields that say "true" or "false" about a Post (``changed:true``: it has earlier
versions; ``deleted:true``: it is gone at its source), derived from it rather than held as a
field."""

LIST_KEYWORD_FIELDS: tuple[str, ...] = ("hashtags", "mentions")
"""The keyword fields a Post holds as lists; the others are single strings."""

DATE_FIELDS: tuple[str, ...] = ("published_at", "deleted_at")
"""``published_at``: when the post was published; ``deleted_at``: since when it is gone at its
source (derived from its tombstone; none while it is there), so
``deleted_at:[2026-01-01 TO 2026-06-30]`` is what was found deleted in that half year."""

NAME_FIELDS: tuple[str, ...] = ("author",)
"""Keyword fields that hold people's names. Filters and facets use the name as written; a query
(``author:jeroen``, ``author:"jeroen cosic"``) matches its words lowercased and ASCII-folded,
unstemmed and with no stop words removed, by any word or run of words of the name."""

DEFAULT_FIELDS: tuple[str, ...] = TEXT_FIELDS + NAME_FIELDS
"""What a bare word or phrase searches."""

FIELD_ALIASES: dict[str, str] = {"hashtag": "hashtags", "mention": "mentions"}
"""Singular names accepted in queries, filters and facets (SearchRequest uses 'hashtag')."""

QUERY_FIELDS: tuple[str, ...] = TEXT_FIELDS + KEYWORD_FIELDS + DATE_FIELDS


def canonical_field(name: str) -> str | None:
    """The index field a query/filter/facet name refers to, or None if it names no field."""
    name = FIELD_ALIASES.get(name, name)
    return name if name in QUERY_FIELDS else None


DUTCH_ENDINGS: tuple[str, ...] = (
    "aar", "aren", "e", "en", "ene", "er", "ers", "es", "s", "se", "st", "ste", "t", "te", "ten",
    "heid", "heden", "ing", "ingen", "end", "ende", "ig", "ige", "lijk", "lijke", "baar", "bare",
    "isch", "ische", "tie", "ties",
)  # fmt: skip
"""Endings of Dutch inflection and derivation that a stemmer takes off a word."""

MIN_COMPLETED_PREFIX = 3


def prefix_completions(prefix: str) -> tuple[str, ...]:
    """Words that ``prefix`` begins and that a search for any of them would want found with
    ``prefix*``: the prefix itself and, where it stops inside a Dutch ending, the prefix with
    that ending finished (samenwerkin -> samenwerking). A prefix can reach past the stem of the
    words it begins (samenwerking is indexed as samenwerk), so a backend searches the stems of
    these words too: ``samenwerkin*`` then finds what ``samenwerking`` finds (samenwerken)."""
    prefix = prefix.lower()
    if len(prefix) < MIN_COMPLETED_PREFIX:
        return ()
    completions = {prefix}
    for ending in DUTCH_ENDINGS:
        for cut in range(1, len(ending)):
            if prefix.endswith(ending[:cut]):
                completions.add(prefix + ending[cut:])
    return tuple(sorted(completions))


_SIGILS: dict[str, str] = {"hashtags": "#", "mentions": "@"}


def normalise_keyword(field: str, value: str) -> str:
    """Hashtags and mentions compare case-insensitively and without their '#'/'@' sigil, as
    platforms treat them; every other keyword is kept exactly as the Post has it."""
    sigil = _SIGILS.get(field)
    return value.strip().lstrip(sigil).lower() if sigil else value


def text_value(post: Post, field: str) -> str:
    """What a Post puts into a text field: its own title or text, or for ``earlier_text`` the
    title and text of every earlier version that differ from what it shows now."""
    if field != "earlier_text":
        return str(getattr(post, field))
    current = {post.title, post.text}
    parts = [
        part
        for version in post.versions
        for part in (version.title, version.text)
        if part and part not in current
    ]
    return "\n".join(dict.fromkeys(parts))


def flag_value(post: Post, field: str) -> str:
    """ "true" or "false": the value of a FLAG_FIELDS field for ``post``."""
    return "true" if getattr(post, field) else "false"


def keyword_values(post: Post, field: str) -> list[str]:
    """The normalised values a Post contributes to a keyword field (empty strings dropped),
    sorted and without repeats."""
    if field in FLAG_FIELDS:
        return [flag_value(post, field)]
    raw = getattr(post, field)
    if not isinstance(raw, list):  # a single string, kept as it is: the common, cheap case
        return [raw] if raw else []
    distinct = {normalise_keyword(field, value) for value in raw}
    distinct.discard("")
    return sorted(distinct)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC, aware ones converted to it."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_EPOCH = date(1970, 1, 1)


def bucket_ordinals(moment: datetime) -> dict[Interval, int]:
    """A whole number per calendar bucket for each interval (UTC; weeks start on Monday, as in
    Elasticsearch), consecutive between neighbouring buckets so gaps can be filled."""
    day = as_utc(moment).date()
    days = (day - _EPOCH).days
    return {
        "day": days,
        # 1970-01-01 was a Thursday, so Monday-based weeks are offset by three days.
        "week": (days + 3) // 7,
        "month": day.year * 12 + day.month - 1,
        "year": day.year,
    }


def bucket_start(ordinal: int, interval: Interval) -> str:
    """The ISO date on which the bucket with this ordinal starts."""
    if interval == "day":
        return (_EPOCH + timedelta(days=ordinal)).isoformat()
    if interval == "week":
        return (_EPOCH + timedelta(days=ordinal * 7 - 3)).isoformat()
    if interval == "month":
        return date(ordinal // 12, ordinal % 12 + 1, 1).isoformat()
    return date(ordinal, 1, 1).isoformat()
