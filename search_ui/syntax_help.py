"""The examples of the query syntax help on the search page: each a query and the message key
of what it finds. They are searched against an index of the demo sources by
tests/search_ui/test_syntax_help.py, which asserts that every one of them finds something."""

from __future__ import annotations

SYNTAX_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("ambtenaar 2.0", "help.words"),
    ('"open overheid"', "help.phrase"),
    ("ambtena*", "help.wildcard"),
    ("wiki OR blog", "help.or"),
    ("overheid NOT twitter", "help.not"),
    ("-twitter", "help.minus"),
    ('author:"Zoë van der Meulen"', "help.field"),
    ("author:cosic", "help.name"),
    ("hashtag:ambtenaar20", "help.hashtag"),
    ("platform:mastodon kind:reply", "help.platform"),
    ("published_at:[2010-01 TO 2012-06-30]", "help.dates"),
    ("(open OR transparant) AND data", "help.groups"),
    ("ambtenar~1", "help.fuzzy"),
    ("changed:true", "help.changed"),
)
