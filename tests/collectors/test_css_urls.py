"""The URLs a stylesheet or page refers to, found for the collector and rewritten for the replay
(foundation.css_urls with tinycss2, foundation.page_resources with lxml)."""

from __future__ import annotations

import pytest

from foundation.css_urls import css_urls, rewrite_css_urls
from foundation.page_resources import page_resources, rewrite_page

BASE = "http://blog.test/thema/style.css"


@pytest.mark.parametrize(
    ("css", "found"),
    [
        ("h1 { background: url(kop.png) }", ["http://blog.test/thema/kop.png"]),
        ('h1 { background: url( "kop.png" ) }', ["http://blog.test/thema/kop.png"]),
        ("h1 { background: url('/beeld/kop.png') }", ["http://blog.test/beeld/kop.png"]),
        ('@import "basis.css";', ["http://blog.test/thema/basis.css"]),
        ("@import url(basis.css) screen;", ["http://blog.test/thema/basis.css"]),
        (
            '@font-face { src: url(f.woff2) format("woff2"), url(f.woff) format("woff") }',
            ["http://blog.test/thema/f.woff2", "http://blog.test/thema/f.woff"],
        ),
        (
            'p { background: image-set("a.png" 1x, url(b.png) 2x) }',
            ["http://blog.test/thema/a.png", "http://blog.test/thema/b.png"],
        ),
        (
            "@media print { h1 { background: url(print.png) } }",
            ["http://blog.test/thema/print.png"],
        ),
        ("p { content: 'url(geen.png)' } /* url(ook-geen.png) */", []),
        ("p { background: url(data:image/png;base64,AAAA) }", []),
        ("p { background: url(https://cdn.test/x.png) }", ["https://cdn.test/x.png"]),
        (
            "a { background: url(x.png) } b { background: url(x.png) }",
            ["http://blog.test/thema/x.png"],
        ),
        ("h1 { color: #8b1a1a; background: url(kop.png", ["http://blog.test/thema/kop.png"]),
    ],
)
def test_a_stylesheet_names_the_files_it_loads(css: str, found: list[str]) -> None:
    assert css_urls(css, BASE) == found


def test_rewriting_changes_only_the_urls_and_keeps_the_rest_as_written() -> None:
    css = '/* thema */\n@import "basis.css";\nh1{color:#8b1a1a;background:url(kop.png) no-repeat}'
    rewritten = rewrite_css_urls(css, lambda url: "/archived/" + url)
    assert rewritten == (
        '/* thema */\n@import "/archived/basis.css";\n'
        'h1{color:#8b1a1a;background:url("/archived/kop.png") no-repeat}'
    )


def test_rewriting_escapes_a_url_that_would_end_the_string() -> None:
    rewritten = rewrite_css_urls("p{background:url(a.png)}", lambda url: 'x")}body{color:red')
    assert css_urls(rewritten, BASE) == ['http://blog.test/thema/x")}body{color:red']


def test_a_url_the_rewrite_declines_stays_as_it_was() -> None:
    css = "p{background:url(data:image/png;base64,AA)}"
    assert (
        rewrite_css_urls(css, lambda url: None) == 'p{background:url("data:image/png;base64,AA")}'
    )


def test_an_unterminated_url_is_closed_before_the_brace_the_rewrite_adds() -> None:
    assert rewrite_css_urls("p{background:url(", lambda url: None) == 'p{background:url("")}'
    assert css_urls(rewrite_css_urls('p{x:url("a.png', lambda url: None), BASE) == [
        "http://blog.test/thema/a.png"
    ]


PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/thema/style.css"><link rel="alternate" href="/feed/">
<link rel="icon" href="/favicon.ico"><style>h1 { background: url(kop.png) }</style></head>
<body style="background: url('/achter.png')"><h1>Caf\xc3\xa9</h1>
<img src="foto.png" srcset="foto-2x.png 2x, foto-3x.png 3x"><a href="/andere/">verder</a>
<script src="https://cdn.test/s.js"></script><img src="data:image/png;base64,AA"></body></html>"""


def test_a_page_names_its_stylesheets_first_then_images_and_scripts() -> None:
    found = [(r.url, r.what) for r in page_resources(PAGE, "http://blog.test/2014/01/bericht/")]
    assert found[0] == ("http://blog.test/thema/style.css", "stylesheet")
    assert ("http://blog.test/2014/01/bericht/foto-3x.png", "image") in found
    assert ("http://blog.test/2014/01/bericht/kop.png", "image") in found
    assert ("http://blog.test/achter.png", "image") in found
    assert ("http://blog.test/favicon.ico", "image") in found
    assert found[-1] == ("https://cdn.test/s.js", "script")
    assert not any("feed" in url or "andere" in url or url.startswith("data:") for url, _ in found)


def test_a_rewritten_page_loads_and_links_only_through_the_rewrite() -> None:
    rewritten = rewrite_page(
        PAGE, "http://blog.test/2014/01/bericht/", lambda url: "/archived/T/1/" + url
    ).decode()
    assert 'href="/archived/T/1/http://blog.test/thema/style.css"' in rewritten
    assert 'href="/archived/T/1/http://blog.test/andere/"' in rewritten
    assert "/archived/T/1/http://blog.test/2014/01/bericht/foto-2x.png 2x" in rewritten
    assert 'url("/archived/T/1/http://blog.test/2014/01/bericht/kop.png")' in rewritten
    assert 'url("/archived/T/1/http://blog.test/achter.png")' in rewritten
    assert 'src="/archived/T/1/https://cdn.test/s.js"' in rewritten
    assert "Café" in rewritten


def test_markup_that_is_no_page_gives_no_resources_and_is_served_as_it_was() -> None:
    assert page_resources(b"  ", "http://blog.test/") == []
    assert rewrite_page(b"", "http://blog.test/", lambda url: "x") == b""
