"""A captured page its site profile cannot read is data the index will lose (its author, date
and comments): the run says so. It is partial, names each such page with the reason, shows it
in ``archiveren status``, and ``collect --strict`` exits non-zero for it."""

from __future__ import annotations

from pathlib import Path

import yaml

from collectors.runner import run_sources
from platforms.profile import PROFILES_DIR
from tests.collectors.network.conftest import LocalSite, network_config
from tests.fixtures.command_line import run_archiveren

CHANGED = "/profiles/blogs/nieuwe-layout"


def _config_file(site: LocalSite, path: Path) -> Path:
    config = network_config(site, start_urls=[site.url(CHANGED)], max_depth=0)
    path.write_text(yaml.safe_dump(config.model_dump(mode="json", exclude_unset=True)))
    return path


def test_a_page_that_does_not_match_makes_the_run_partial_with_its_url_and_why(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = network_config(ning_site, start_urls=[ning_site.url(CHANGED)], max_depth=0)
    [report] = run_sources(config, tmp_path)

    assert report.outcome == "partial"
    assert report.counts["profile_mismatch"] == 1 and report.counts["errors"] == 0
    assert report.errors == [
        f"{ning_site.url(CHANGED)}: does not match site profile 'ning' (no page type fits its"
        " address and markup); the index reads it with the generic profile, without its author"
        " and comments"
    ]


def test_status_names_the_page_and_collect_strict_fails(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    config = _config_file(ning_site, tmp_path / "sources.yaml")

    strict = run_archiveren(config, tmp_path / "strict", "collect", "--strict")
    status = run_archiveren(config, tmp_path / "strict", "status")
    lenient = run_archiveren(config, tmp_path / "lenient", "collect")

    assert strict.returncode == 1, strict.stderr
    assert f"! {ning_site.url(CHANGED)}: does not match site profile 'ning'" in strict.stdout
    assert status.returncode == 0, status.stderr
    [row] = [line for line in status.stdout.splitlines() if line.startswith("a20 ")]
    assert row.split()[5] == "partial" and "profile_mismatch 1" in row  # after "date time CET"
    assert f"! {ning_site.url(CHANGED)}: does not match site profile 'ning' (no page type" in (
        status.stdout
    )
    assert lenient.returncode == 0 and "partial" in lenient.stdout


def test_a_page_whose_type_lost_a_required_field_says_which(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    ning_site.pages["/w/page/1/Leeg"] = (
        b"<html><body><div id='pagetitle'><h1>Leeg</h1></div>"
        b"<div id='wikipage'><div id='wikipage-inner'><p>Tekst zonder bewerker.</p></div></div>"
        b"</body></html>"
    )
    config = network_config(
        ning_site, start_urls=[ning_site.url("/w/page/1/Leeg")], profile="pbworks", max_depth=0
    )
    [report] = run_sources(config, tmp_path)

    assert report.outcome == "partial"
    assert report.errors == [
        f"{ning_site.url('/w/page/1/Leeg')}: does not match site profile 'pbworks' (page type"
        " 'wiki_page' found no author); the index reads it with the generic profile, without"
        " its author and comments"
    ]


def test_a_mended_profile_reads_the_unchanged_page_again_and_the_problem_goes(
    ning_site: LocalSite, tmp_path: Path
) -> None:
    mended = yaml.safe_load((PROFILES_DIR / "ning.yaml").read_text(encoding="utf-8"))
    mended["page_types"].append(
        {"name": "story", "when": ["article.story"], "title": ["h1"], "body": ["article.story"]}
    )
    (tmp_path / "ning-mended.yaml").write_text(yaml.safe_dump(mended), encoding="utf-8")
    start = {"start_urls": [ning_site.url(CHANGED)], "max_depth": 0}

    [before] = run_sources(network_config(ning_site, **start), tmp_path / "data")
    [same] = run_sources(network_config(ning_site, **start), tmp_path / "data")
    [after] = run_sources(
        network_config(ning_site, profile=str(tmp_path / "ning-mended.yaml"), **start),
        tmp_path / "data",
    )

    assert (before.outcome, same.outcome, after.outcome) == ("partial", "partial", "ok")
    # unchanged and the same profile: a 304; a new profile: the page again, whole, to check it
    assert same.counts["not_modified"] == 1 and after.counts["not_modified"] == 0
    assert ning_site.answered(200).count(CHANGED) == 2
