"""Versions: a capture whose content differs from the one before is kept as an earlier version of
the Post, with the capture that first showed it; markup noise is no change; the index holds the
words of every earlier version and says which Posts changed."""

from __future__ import annotations

from datetime import UTC, datetime

from foundation.pointer import RecordPointer
from foundation.post import Post
from foundation.post_version import PostVersion
from indexer.merge import merge_capture_history
from indexer.query_fields import keyword_values, text_value


def capture(day: int, text: str, *, title: str = "Nieuws", **fields: object) -> Post:
    """The Post ``blog:1`` as a capture on 1 March 2026 + ``day`` found it."""
    when = datetime(2026, 3, day, 9, tzinfo=UTC)
    pointer = RecordPointer(
        warc_file="a.warc.gz",
        offset=day * 1000,
        length=100,
        record_id=f"<urn:uuid:{day:08d}>",
        capture_date=when.isoformat(),
    )
    return Post(
        id="blog:1",
        platform="blog",
        source="blog-a",
        title=title,
        text=text,
        collected_at=when,
        capture=pointer,
        **fields,  # type: ignore[arg-type]
    )


def merged(*captures: Post) -> Post:
    post = captures[0]
    for later in captures[1:]:
        post = merge_capture_history(post, later)
    return post


def test_an_unchanged_recapture_makes_no_version() -> None:
    post = merged(capture(1, "De raad besluit."), capture(2, "De raad besluit."))
    assert post.versions == [] and not post.changed
    assert len(post.earlier_captures) == 1


def test_an_edited_text_keeps_the_earlier_wording_with_its_capture_and_date() -> None:
    first, second = capture(1, "De raad besluit morgen."), capture(2, "De raad besloot vandaag.")
    post = merged(first, second)
    assert post.text == "De raad besloot vandaag." and post.changed
    assert [v.text for v in post.versions] == ["De raad besluit morgen."]
    assert post.versions[0].capture == first.capture
    assert post.versions[0].captured_at == first.collected_at


def test_markup_noise_is_not_a_change() -> None:
    first = capture(1, "De raad\n  besluit.", links=["https://a.example/x/#top"])
    second = capture(2, " De raad besluit. ", links=["https://a.example/x"])
    assert merged(first, second).versions == []
    unresolved = capture(3, "De raad besluit.", media=["3_1555720442344374334"])
    resolved = capture(4, "De raad besluit.", media=["https://pbs.example/3_1555720442344374334"])
    assert merged(unresolved, resolved).versions == [], "a key the page did not resolve"


def test_a_changed_title_link_or_image_is_a_change() -> None:
    base = capture(1, "Tekst")
    assert merged(base, capture(2, "Tekst", title="Ander nieuws")).changed
    assert merged(base, capture(2, "Tekst", links=["https://a.example/y"])).changed
    assert merged(base, capture(2, "Tekst", media=["https://a.example/foto.jpg"])).changed


def test_a_wording_keeps_its_first_date_and_a_return_to_it_is_a_version_again() -> None:
    post = merged(
        capture(1, "Versie een"),
        capture(2, "Versie een"),
        capture(3, "Versie twee"),
        capture(4, "Versie een"),
    )
    assert post.text == "Versie een"
    assert [(v.text, v.captured_at and v.captured_at.day) for v in post.versions] == [
        ("Versie een", 1),
        ("Versie twee", 3),
    ]


def test_captures_indexed_out_of_order_give_the_same_versions() -> None:
    first, second, third = capture(1, "Een"), capture(2, "Twee"), capture(3, "Drie")
    in_order = merged(first, second, third)
    shuffled = merged(third, first, second)
    assert shuffled.text == "Drie"
    assert shuffled.versions == in_order.versions
    assert [v.text for v in in_order.versions] == ["Een", "Twee"]


def test_merging_the_same_capture_twice_adds_no_version() -> None:
    post = merged(capture(1, "Een"), capture(2, "Twee"))
    assert merge_capture_history(post, capture(2, "Twee")).versions == post.versions


def test_another_sources_capture_makes_no_version() -> None:
    owner = merged(capture(1, "Een"), capture(2, "Twee"))
    mirror = capture(3, "Gespiegelde tekst").model_copy(update={"source": "blog-b"})
    after = merge_capture_history(owner, mirror)
    assert after.text == "Twee" and after.versions == owner.versions


def test_the_index_holds_the_words_of_earlier_versions_and_the_changed_flag() -> None:
    post = merged(capture(1, "Over de fietsbrug"), capture(2, "Over de voetgangersbrug"))
    assert text_value(post, "earlier_text") == "Over de fietsbrug"
    assert keyword_values(post, "changed") == ["true"]
    assert keyword_values(capture(1, "Eenmalig"), "changed") == ["false"]
    assert text_value(capture(1, "Eenmalig"), "earlier_text") == ""


def test_a_stored_post_from_before_versions_still_reads() -> None:
    stored = capture(1, "Oud").model_dump(mode="json")
    del stored["versions"]
    assert Post.model_validate(stored).versions == []
    assert PostVersion.model_validate({"text": "x"}).same_content(PostVersion(text=" x"))
