"""The Pleio emulator answers GraphQL the way a Pleio site does, from Pleio's own schema: the
schema it serves is a faithful part of the real one, unknown fields are refused with a GraphQL
error, and ``entities`` pages with ``offset``/``limit`` under a ``total``."""

from __future__ import annotations

from typing import Any

import graphql
import httpx

from demo_sources import DemoSources
from demo_sources.pleio import load_schema
from tests.fixtures.material import material

PLEIO = material("pleio")


def ask(demo: DemoSources, query: str, **variables: Any) -> httpx.Response:
    return httpx.post(demo.urls["pleio"] + "graphql", json={"query": query, "variables": variables})


def _fields(kind: graphql.GraphQLNamedType) -> dict[str, graphql.GraphQLField]:
    return dict(getattr(kind, "fields", {}))


@PLEIO.mark
def test_the_served_schema_is_part_of_pleios_own_unchanged() -> None:
    real = graphql.build_schema((PLEIO.require("schema.graphql")).read_text(encoding="utf-8"))
    served = load_schema()
    differences = []
    for name, kind in served.type_map.items():
        if name.startswith("__"):
            continue
        original = real.type_map.get(name)
        if original is None or type(original) is not type(kind):
            differences.append(name)
            continue
        for field_name, field in _fields(kind).items():
            theirs = _fields(original).get(field_name)
            if theirs is None or str(theirs.type) != str(field.type):
                differences.append(f"{name}.{field_name}")
                continue
            for arg, value in field.args.items():
                if arg not in theirs.args or str(theirs.args[arg].type) != str(value.type):
                    differences.append(f"{name}.{field_name}({arg})")
        if isinstance(kind, graphql.GraphQLEnumType):
            assert isinstance(original, graphql.GraphQLEnumType)
            differences += [f"{name}.{v}" for v in kind.values if v not in original.values]
    assert differences == []


def test_an_unknown_field_is_refused_with_a_graphql_error(
    demo_sources_readonly: DemoSources,
) -> None:
    answer = ask(demo_sources_readonly, "{ entities { edges { guid ... on Blog { likes } } } }")
    assert answer.status_code == 400
    body = answer.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Cannot query field 'likes' on type 'Blog'.")


def test_entities_page_by_offset_under_one_total(demo_sources_readonly: DemoSources) -> None:
    query = """query ($offset: Int) {
      entities(subtype: "blog", offset: $offset, limit: 1, orderBy: timeCreated, orderDirection: asc) {
        total edges { guid ... on Blog { title timeCreated url owner { name } } }
      }
    }"""
    pages = [ask(demo_sources_readonly, query, offset=n).json()["data"] for n in range(3)]
    assert [page["entities"]["total"] for page in pages] == [2, 2, 2]
    titles = [edge["title"] for page in pages for edge in page["entities"]["edges"]]
    assert titles == [
        "Wat de Omgevingswet van ons als ambtenaren vraagt",
        "Samenwerken over de grenzen van je organisatie",
    ]
    first = pages[0]["entities"]["edges"][0]
    assert first["timeCreated"] == "2024-02-12 09:30:00+00:00"
    assert first["url"].startswith(f"/blog/view/{first['guid']}/wat-de-omgevingswet")
    assert first["owner"] == {"name": "Zoë van der Meulen"}


def test_an_entity_is_found_by_guid_with_its_threaded_comments(
    demo_sources_readonly: DemoSources,
) -> None:
    demo = demo_sources_readonly
    question = demo.pleio.item("Moet een reactie op Pleio ook gearchiveerd worden?")
    query = """query ($guid: String) { entity(guid: $guid) { __typename guid
      ... on Question { title comments { guid ownerName isBestAnswer } } } }"""
    entity = ask(demo, query, guid=question.guid).json()["data"]["entity"]
    assert entity["__typename"] == "Question"
    assert [c["ownerName"] for c in entity["comments"]] == ["Kees-Jan Brinkman", "Anneke de Wit"]
    assert [c["isBestAnswer"] for c in entity["comments"]] == [True, False]
    assert ask(demo, query, guid="999999").json() == {"data": {"entity": None}}
