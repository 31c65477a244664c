"""The GraphQL queries the Pleio collector sends, written against Pleio's schema (the back end's
``schema.graphql``): only fields every content type named there has, so a Pleio site answers
them without a validation error.

``ENTITIES_QUERY`` lists one subtype's entities, oldest first (``offset``/``limit`` paging then
stays put while new entities are added at the end), with the fields a Post needs and
``commentCount`` so the collector can tell which threads changed. ``THREAD_QUERY`` asks for one
entity (or comment) by guid with its comments nested ``COMMENT_LEVELS`` deep; a comment at the
last level that has replies of its own is asked for again by its guid.
"""

from __future__ import annotations

COMMENT_LEVELS = 3
"""Levels of replies one thread query nests; GraphQL has no recursive fragments."""

_OWNER = "owner { guid name username url }"
_COMMON = f"""guid
    subtype
    title
    description
    richDescription
    excerpt
    url
    tags
    timeCreated
    timeUpdated
    timePublished
    statusPublished
    {_OWNER}"""
_WITH_COMMENTS = ("Blog", "News", "Discussion", "Question", "Event")
_EXTRA = {
    "Question": "isClosed",
    "Event": "startDate\n    endDate\n    location",
    "Wiki": "parent { guid }",
}
COMMENT_FIELDS = f"""fragment CommentFields on Comment {{
  guid
  description
  richDescription
  url
  timeCreated
  timeUpdated
  ownerName
  isBestAnswer
  commentCount
  {_OWNER}
}}"""


def _fragment(typename: str) -> str:
    lines = [_COMMON]
    if typename in _WITH_COMMENTS:
        lines.append("commentCount")
    if typename in _EXTRA:
        lines.append(_EXTRA[typename])
    body = "\n    ".join(lines)
    return f"fragment {typename}Fields on {typename} {{\n    {body}\n}}"


_TYPENAMES = ("Blog", "News", "Discussion", "Question", "Wiki", "Event")
_SPREADS = "\n      ".join(f"...{t}Fields" for t in _TYPENAMES)
_FRAGMENTS = "\n".join(_fragment(t) for t in _TYPENAMES)


def _nested_comments(levels: int) -> str:
    inner = ""
    for _ in range(levels):
        inner = f"comments {{ ...CommentFields {inner}}} "
    return inner.strip()


ENTITIES_QUERY = f"""query ArchiverenEntities($subtype: String, $offset: Int, $limit: Int) {{
  entities(subtype: $subtype, offset: $offset, limit: $limit, orderBy: timeCreated, orderDirection: asc) {{
    total
    edges {{
      __typename
      guid
      {_SPREADS}
    }}
  }}
}}
{_FRAGMENTS}"""

_THREAD_SPREADS = "\n    ".join(
    f"... on {t} {{ {_nested_comments(COMMENT_LEVELS)} }}" for t in (*_WITH_COMMENTS, "Comment")
)
THREAD_QUERY = f"""query ArchiverenThread($guid: String) {{
  entity(guid: $guid) {{
    __typename
    guid
    {_SPREADS.replace(chr(10) + "      ", chr(10) + "    ")}
    ...CommentFields
    {_THREAD_SPREADS}
  }}
}}
{_FRAGMENTS}
{COMMENT_FIELDS}"""
