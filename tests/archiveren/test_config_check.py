"""`archiveren check` (and `init`) refuse a config with every mistake listed at once, each naming
the source and the field, and never echo a value that may be a secret; `collect SOURCE` needs
only that source's secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.archiveren.test_cli import run_cli, write_config

PASTED_TOKEN = (
    "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0uSeidULvsea4JtiGRiSDSJSI3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz"
)

MISTAKES = f"""\
organisation: BZK
sources:
  - name: blog-anneke
    type: feed
    url: not a url
    schedule: {{cron: "elke dag"}}
  - name: toots
    type: mastodon
    instance: social.overheid.nl
  - name: x-bzk
    type: x
    accounts: [minbzk]
    bearer_token_env: {PASTED_TOKEN}
  - name: x-ocw
    type: x
    accounts: [minocw]
    bearer_token_env: ARCHIVEREN_CHECK_UNSET_TOKEN
  - name: blog-anneke
    type: feed
    url: https://anneke.example.org/feed/
"""


@pytest.mark.parametrize("command", ["check", "init"])
def test_every_mistake_is_listed_at_once_and_no_secret_is_echoed(
    tmp_path: Path, command: str
) -> None:
    config = write_config(tmp_path, MISTAKES)
    data = tmp_path / "data"
    result = run_cli("--config", str(config), "--data-dir", str(data), command)

    assert result.returncode == 2, result.stdout
    said = result.stderr
    assert "Traceback" not in said
    assert str(config) in said and "6 problems" in said, said
    assert "'blog-anneke' (sources[0]), field 'url'" in said and "http:// or https://" in said
    assert "field 'schedule.cron'" in said and "crontab" in said
    assert "'toots' (sources[1]), field 'instance'" in said
    assert "'x-bzk' (sources[2]), field 'bearer_token_env'" in said
    assert "ARCHIVEREN_CHECK_UNSET_TOKEN is not set" in said
    assert "'blog-anneke' is used twice (sources[0] and sources[4])" in said
    assert "field ''" not in said
    assert PASTED_TOKEN[:24] not in said + result.stdout
    assert not data.exists(), "a refused config must not touch the data dir"


def test_an_unknown_site_profile_is_named(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "sources:\n  - name: a20\n    type: network\n    start_urls: [https://a20.example.org/]\n    profile: hyves\n",
    )
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "check")
    assert result.returncode == 2
    assert "'a20', field 'profile'" in result.stderr and "'hyves'" in result.stderr
    assert "ning" in result.stderr, "the message lists the profiles there are"


def test_a_good_config_is_reported_ok(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        "sources:\n  - name: blog-a\n    type: feed\n    url: https://a.example.org/feed/\n    schedule: {cron: '0 */6 * * *'}\n",
    )
    result = run_cli("--config", str(config), "--data-dir", str(tmp_path / "data"), "check")
    assert result.returncode == 0, result.stderr
    assert "OK, 1 sources (1 enabled)" in result.stdout


def test_collecting_one_source_needs_only_that_sources_secrets(
    tmp_path: Path, feed_url: str
) -> None:
    config = write_config(
        tmp_path,
        f"""sources:
  - name: blog-anneke
    type: feed
    url: {feed_url}
    capture_pages: false
    delay_seconds: 0
  - name: x-bzk
    type: x
    accounts: [minbzk]
    bearer_token_env: ARCHIVEREN_CHECK_UNSET_TOKEN
""",
    )
    data = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    one = run_cli(*data, "collect", "blog-anneke")
    assert one.returncode == 0, one.stdout + one.stderr
    assert one.stdout.startswith("blog-anneke") and " ok " in one.stdout

    every = run_cli(*data, "collect")
    assert every.returncode == 2
    assert "'x-bzk'" in every.stderr and "ARCHIVEREN_CHECK_UNSET_TOKEN" in every.stderr
