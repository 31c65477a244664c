"""`archiveren sources` manages sources without editing YAML: forty accounts imported from a
CSV appear in `sources list` and in the file, whose comments and order stay as they were; a
bad row is refused by line number and leaves the file untouched."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.archiveren.test_cli import run_cli

HAND_WRITTEN = """\
# Bronnen van de gemeente; beheerd door team Informatiebeheer.
organisation: Gemeente Zwolle
sources:
  # het blog van de wethouder
  - name: blog-wethouder
    type: feed
    url: "https://wethouder.example.org/feed/"   # met de hand
    schedule: {cron: "0 */6 * * *"}
  - name: x-gemeente
    type: x
    accounts: [gemeentezwolle]
    bearer_token_env: ZWOLLE_X_TOKEN
"""


def forty_accounts() -> str:
    rows = ["type,account,organisation,schedule,category"]
    rows += [f"x,raadslid{n},Gemeente Zwolle,0 7 * * *,1.1" for n in range(30)]
    rows += [f"mastodon,ambtenaar{n}@social.overheid.nl,Gemeente Zwolle,,1.2" for n in range(5)]
    rows += [f"feed,https://blog{n}.example.org/feed/,,," for n in range(5)]
    return "\n".join(rows) + "\n"


def test_forty_accounts_from_a_csv_are_added_and_the_file_keeps_its_comments(
    tmp_path: Path,
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(forty_accounts(), encoding="utf-8")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    imported = run_cli(*where, "sources", "import", str(accounts))
    assert imported.returncode == 0, imported.stderr
    assert "40 source(s) added" in imported.stdout

    text = config.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN), "the hand-written part is kept as it was"
    written = yaml.safe_load(text)["sources"]
    assert len(written) == 42
    x_source = next(s for s in written if s["name"] == "x-raadslid7")
    assert x_source == {
        "name": "x-raadslid7",
        "type": "x",
        "accounts": ["raadslid7"],
        "bearer_token_env": "ZWOLLE_X_TOKEN",
        "organisation": "Gemeente Zwolle",
        "schedule": {"cron": "0 7 * * *"},
        "retention": {"category": "1.1"},
    }
    toot = next(s for s in written if s["type"] == "mastodon")
    assert toot["instance"] == "https://social.overheid.nl" and toot["accounts"] == ["ambtenaar0"]

    listed = run_cli(*where, "sources", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    names = [row["name"] for row in json.loads(listed.stdout)]
    assert len(names) == 42 and "x-raadslid29" in names and names[0] == "blog-wethouder"


def test_disable_and_enable_change_one_line(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    assert run_cli(*where, "sources", "disable", "x-gemeente").returncode == 0
    assert yaml.safe_load(config.read_text())["sources"][1]["enabled"] is False
    assert "# met de hand" in config.read_text()
    assert run_cli(*where, "sources", "enable", "x-gemeente").returncode == 0
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_bad_row_is_named_by_line_and_nothing_is_written(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "type,account,organisation,schedule,category\n"
        "x,raadslid1,,,\n"
        "hyves,iemand,,,\n"
        "mastodon,zonder-instance,,,\n"
        "feed,https://blog.example.org/feed/,,elke dag,\n",
        encoding="utf-8",
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    refused = run_cli(*where, "sources", "import", str(accounts))
    assert refused.returncode == 2, refused.stdout
    assert "line 3: unknown type 'hyves'" in refused.stderr
    assert (
        "line 4: 'zonder-instance': expected a Mastodon account as user@instance" in refused.stderr
    )
    assert "Traceback" not in refused.stderr
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN

    accounts.write_text("feed,https://blog.example.org/feed/,,elke dag,\n", encoding="utf-8")
    refused = run_cli(*where, "sources", "import", str(accounts))
    assert refused.returncode == 2
    assert "field 'schedule.cron'" in refused.stderr
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_add_one_account_with_a_name(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    added = run_cli(
        *where, "sources", "add", "x", "@minbzk", "--name", "x-bzk", "--category", "1.1"
    )
    assert added.returncode == 0, added.stderr
    source = yaml.safe_load(config.read_text())["sources"][-1]
    assert source["name"] == "x-bzk" and source["accounts"] == ["minbzk"]
    again = run_cli(*where, "sources", "add", "x", "minbzk", "--name", "x-bzk")
    assert again.returncode == 2 and "'x-bzk' exists already" in again.stderr
