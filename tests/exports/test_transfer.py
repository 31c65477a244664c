"""The transfer package for an e-Depot (issue 23) holds up under tools archiveren did not write:
its uncompressed WARC/1.1 files pass JWAT and FastWARC, roll over at the cap and keep every
revisit's original inside the package; the bag passes bagit.py and bagit-java (Library of
Congress); every MDTO file validates against the newest MDTO XSD with lxml and xmlschema, every
bestand's checksum matches bytes in the package and every reference resolves inside it or says
it is external; `archiveren verify-export` checks it; and the frozen archive of before issue 23
is still exported and verified."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag

import bagit
import pytest
import xmlschema
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

from archive import CaptureMetadata, HttpExchange, WarcWriter, iter_records
from archive.capture_records import read_raw
from exports import run_export, verify_export_package
from exports.conformance import warc_points
from foundation.post import Post
from tests.exports.conftest import CONFIG, make_posts, page
from tests.fixtures.material import material
from workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LEGACY = REPO / "tests" / "archive" / "fixtures" / "legacy-2026-12"
MDTO = material("mdto/schema")  # only in ../shared: no package registry carries it
NS = {"m": "https://www.nationaalarchief.nl/mdto"}
SMALL_CAP = 6_000
"""Bytes per WARC file that force several files from the fixture's 17 captures (each page
group is about 1.5 kB)."""


def recapture(archive_dir: Path, posts: list[Post]) -> list[Post]:
    """Collect the Posts' pages again, unchanged: the archive writes revisits, and the Posts
    now point at those."""
    again = []
    with WarcWriter(archive_dir, prefix="again") as writer:
        for post in posts:
            result = writer.write_exchange(
                HttpExchange(
                    url=post.url,
                    request_headers=[("Host", "blog.example.nl")],
                    status=200,
                    reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=page(post.title, post.text),
                ),
                CaptureMetadata(
                    source="blog-fenna",
                    platform="blog",
                    collector="feed",
                    collector_version="test",
                    capture_kind="entry_page",
                ),
            )
            assert result.pointer is not None
            again.append(post.model_copy(update={"capture": result.pointer}))
    return again


@pytest.fixture
def revisited_workspace(tmp_path: Path) -> Workspace:
    """Eight pages and a comment; pages 4-7 were collected again unchanged (revisits) and
    their Posts point at the revisit, whose original is in another WARC file."""
    config = tmp_path / "sources.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    ws = Workspace(config_path=config, data_dir=tmp_path / "data")
    ws.catalogue()
    posts = make_posts(ws.archive_dir, 8)
    posts[4:8] = recapture(ws.archive_dir, posts[4:8])
    ws.backend().index_posts(posts)
    yield ws
    ws.close()


def transfer(ws: Workspace, out: Path, *, query: str = "", cap: int = SMALL_CAP) -> Path:
    return run_export(
        ws,
        query=query,
        filters={},
        fmt="transfer",
        out=out,
        reason="overdracht e-Depot 2026",
        user="compliance",
        max_warc_bytes=cap,
    )


def records(warc: Path) -> list[tuple[str, dict[str, str]]]:
    with warc.open("rb") as handle:
        return [
            (record.rec_headers.protocol, dict(record.rec_headers.headers))
            for record in ArchiveIterator(handle)
        ]


def test_warcs_are_uncompressed_warc_1_1_under_the_cap_with_every_revisit_resolvable(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    warcs = sorted((out / "data" / "warcs").iterdir())
    assert len(warcs) >= 3, "the small cap forces several WARC files"
    assert all(w.suffix == ".warc" and w.read_bytes()[:2] != b"\x1f\x8b" for w in warcs)
    assert all(w.stat().st_size <= SMALL_CAP for w in warcs)
    everything = [r for w in warcs for r in records(w)]
    assert {version for version, _ in everything} == {"WARC/1.1"}
    ids = [headers["WARC-Record-ID"] for _, headers in everything]
    assert len(ids) == len(set(ids)), "every record once"
    by_type: dict[str, list[dict[str, str]]] = {}
    for _, headers in everything:
        by_type.setdefault(headers["WARC-Type"], []).append(headers)
    assert len(by_type["revisit"]) == 4
    assert all(r["WARC-Refers-To"] in ids for r in by_type["revisit"])
    # 8 responses: the four pages only revisited are in because their revisits need them
    assert len(by_type["response"]) == 8 and len(by_type["request"]) == 12
    assert all(h.get("WARC-Warcinfo-ID", ids[0]) in ids for _, h in everything)
    source_ids = {
        headers["WARC-Record-ID"]
        for warc in revisited_workspace.archive_dir.glob("*.warc.gz")
        for _, headers in _gz_records(warc)
    }
    copied = {i for i in ids if i in source_ids}
    assert copied and len(copied) == len(ids) - len(warcs), "all but each file's own warcinfo"


def test_a_capture_is_never_split_across_warc_files_and_no_secret_travels(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    for warc in sorted((out / "data" / "warcs").iterdir()):
        here = records(warc)
        ids = {h["WARC-Record-ID"] for _, h in here}
        concurrent = [h for _, h in here if "WARC-Concurrent-To" in h]
        assert concurrent and all(h["WARC-Concurrent-To"] in ids for h in concurrent), warc.name
    for path in out.rglob("*"):
        assert not path.is_file() or b"geheim-token-123" not in path.read_bytes(), path


def test_every_capture_of_an_edited_post_is_transferred_and_represents_it(
    archived_workspace: Workspace, tmp_path: Path
) -> None:
    url = "http://blog.example.nl/2020/01/bewerkt/"
    with WarcWriter(archived_workspace.archive_dir, prefix="edit") as writer:
        pointers = [
            writer.write_exchange(
                HttpExchange(
                    url=url,
                    request_headers=[("Host", "blog.example.nl")],
                    status=200,
                    reason="OK",
                    response_headers=[("Content-Type", "text/html")],
                    body=page("Bewerkt bericht", version),
                ),
                CaptureMetadata(
                    source="blog-fenna",
                    platform="blog",
                    collector="feed",
                    collector_version="test",
                    capture_kind="entry_page",
                ),
            ).pointer
            for version in ("Eerste versie.", "Tweede versie, bewerkt.")
        ]
    first, second = pointers
    assert first is not None and second is not None
    archived_workspace.backend().index_posts(
        [
            Post(
                id="blog:bewerkt",
                platform="blog",
                source="blog-fenna",
                organisation="Gemeente Deventer",
                kind="post",
                url=url,
                title="Bewerkt bericht",
                text="Tweede versie, bewerkt.",
                capture=second,
                earlier_captures=[first],
            )
        ]
    )
    out = transfer(archived_workspace, tmp_path / "overdracht", query="bewerkt")
    (warc,) = (out / "data" / "warcs").iterdir()
    responses = [h["WARC-Record-ID"] for _, h in records(warc) if h["WARC-Type"] == "response"]
    assert sorted(responses) == sorted([first.record_id, second.record_id])
    (post_xml,) = (out / "data" / "metadata").glob("0*.mdto.xml")
    represented = etree.parse(str(post_xml)).findall(
        ".//m:heeftRepresentatie//m:identificatieKenmerk", NS
    )
    assert [e.text for e in represented] == [second.record_id, first.record_id]
    assert len(list((out / "data" / "metadata").glob("payload-*.xml"))) == 2
    assert verify_export_package(out).ok


def _gz_records(warc: Path) -> list[tuple[str, dict[str, str]]]:
    with warc.open("rb") as handle:
        return [
            (record.rec_headers.protocol, dict(record.rec_headers.headers))
            for record in ArchiveIterator(handle)
        ]


def jwat(files: list[Path]) -> subprocess.CompletedProcess[str]:
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("JWAT needs a JDK (java, javac) on PATH; install openjdk-17-jdk-headless")
    return subprocess.run(
        [sys.executable, REPO / "scripts" / "jwat-check", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_jwat_and_fastwarc_report_no_error_on_the_transfer_warcs(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    warcs = sorted((out / "data" / "warcs").iterdir())
    checked = jwat(warcs)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert "0 problem(s)" in checked.stdout and "WARNING" not in checked.stdout
    for warc in warcs:
        result = subprocess.run(
            [BIN / "fastwarc", "check", "-q", "-p", warc], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_jwat_and_fastwarc_find_a_changed_byte_in_a_transfer_warc(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    warc = sorted((out / "data" / "warcs").iterdir())[0]
    data = warc.read_bytes()
    warc.write_bytes(data.replace(b"Samenwerken in de wijk", b"Samenwerken in de wijK", 1))
    checked = jwat([warc])
    assert checked.returncode == 1 and "Incorrect" in checked.stdout
    result = subprocess.run([BIN / "fastwarc", "check", "-q", "-p", warc], capture_output=True)
    assert result.returncode != 0


def bagit_java(bags: list[Path]) -> subprocess.CompletedProcess[str]:
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("bagit-java needs a JDK (java, javac) on PATH; install openjdk-17-jdk-headless")
    return subprocess.run(
        [sys.executable, REPO / "scripts" / "bagit-check", *bags],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_transfer_and_bag_exports_validate_with_bagit_py_and_bagit_java(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    bags = [
        transfer(revisited_workspace, tmp_path / "overdracht"),
        run_export(
            revisited_workspace,
            query="",
            filters={},
            fmt="bag",
            out=tmp_path / "woo",
            reason="Woo-verzoek 2026-114",
            user="compliance",
        ),
    ]
    for bag in bags:
        checked = bagit.Bag(str(bag))
        checked.validate(processes=1)
        assert checked.version_info == (1, 0) and set(checked.algorithms) == {"sha512", "sha256"}
        info = checked.info
        assert info["Source-Organization"] == "Gemeente Deventer"
        assert info["Contact-Name"] == "compliance" and "@" in info["Contact-Email"]
        assert info["External-Identifier"].startswith("export-")
        assert info["Bag-Software-Agent"].startswith("archiveren/")
        assert info["Bagging-Date"] and info["Payload-Oxum"]
        assert {p.name for p in bag.glob("tagmanifest-*.txt")} == {
            "tagmanifest-sha512.txt",
            "tagmanifest-sha256.txt",
        }
    result = bagit_java(bags)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("VALID ") == 2 and "BagIt 1.0" in result.stdout
    assert "manifests sha512 sha256" in result.stdout or "manifests sha256 sha512" in result.stdout


def test_bagit_java_and_bagit_py_reject_a_changed_payload_file(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    report = out / "data" / "report.html"
    report.write_text(report.read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(out)).validate(processes=1)
    result = bagit_java([out])
    assert result.returncode == 1 and "INVALID" in result.stdout


def newest_mdto_schema() -> Path:
    """The MDTO XSD with the highest version in its name (MDTO-XML1.0.2.xsd today)."""
    versioned = [
        (tuple(int(n) for n in match.group(1).split(".")), path)
        for path in MDTO.files("MDTO-XML*.xsd")
        if (match := re.fullmatch(r"MDTO-XML(\d+(?:\.\d+)*)\.xsd", path.name))
    ]
    if not versioned:
        pytest.skip(MDTO.reason or "no versioned MDTO-XML*.xsd in ../shared/corpus/external/mdto")
    version, path = max(versioned)
    assert version >= (1, 0, 2)
    return path


@MDTO.mark
def test_every_mdto_file_validates_against_the_newest_xsd_with_lxml_and_xmlschema(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    schema_path = newest_mdto_schema()
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    bag = run_export(
        revisited_workspace,
        query="",
        filters={},
        fmt="bag",
        out=tmp_path / "woo",
        reason="Woo-verzoek 2026-114",
        user="compliance",
    )
    lxml_schema = etree.XMLSchema(etree.parse(str(schema_path)))
    xs_schema = xmlschema.XMLSchema(str(schema_path))
    files = sorted((out / "data" / "metadata").glob("*.xml"))
    assert len(files) == 9 + 8 + 1 + len(list((out / "data" / "warcs").iterdir())), (
        "9 Posts, 8 payloads, the package, every WARC file"
    )
    bag_files = sorted((bag / "data" / "metadata").glob("*.xml"))
    assert len(bag_files) == 9 + 2, "9 Posts, the WACZ and the export"
    for path in files + bag_files:
        document = etree.parse(str(path))
        assert lxml_schema.validate(document), (path.name, lxml_schema.error_log.last_error)
        xs_schema.validate(str(path))
    comment = etree.parse(str(next(f for f in files if "comment-1" in f.name)))
    assert comment.findtext(".//m:waardering/m:begripCode", namespaces=NS) == "N"
    assert comment.find(".//m:classificatie", NS) is None
    first = etree.parse(str(files[0]))
    assert first.findtext(".//m:informatiecategorie/m:begripCode", namespaces=NS) == "1.1"
    assert first.findtext(".//m:bewaartermijn/m:termijnEinddatum", namespaces=NS)
    check = verify_export_package(out, mdto_schema=schema_path)
    assert check.ok, check.problems


def test_every_bestand_checksum_matches_bytes_in_the_package(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    metadata = out / "data" / "metadata"
    bestanden = [
        (path, document)
        for path in sorted(metadata.glob("*.xml"))
        if (document := etree.parse(str(path))).find("m:bestand", NS) is not None
    ]
    assert len(bestanden) == 8 + len(list((out / "data" / "warcs").iterdir()))
    for path, document in bestanden:
        location, fragment = urldefrag(document.findtext(".//m:URLBestand", namespaces=NS))
        target = (path.parent / unquote(location)).resolve()
        assert target.is_relative_to(out.resolve()) and target.is_file(), location
        if fragment:
            with target.open("rb") as handle:
                handle.seek(int(fragment.removeprefix("offset=")))
                record = next(iter(ArchiveIterator(handle)))
                assert record.rec_type == "response", (
                    "a payload is a response's, revisits have none"
                )
                data = record.raw_stream.read()
        else:
            data = target.read_bytes()
        sums = {
            c.findtext("m:checksumAlgoritme/m:begripLabel", namespaces=NS): c.findtext(
                "m:checksumWaarde", namespaces=NS
            )
            for c in document.iterfind(".//m:checksum", NS)
        }
        assert sums == {
            "SHA256": hashlib.sha256(data).hexdigest(),
            "SHA512": hashlib.sha512(data).hexdigest(),
        }, path.name
        assert document.findtext(".//m:omvang", namespaces=NS) == str(len(data))


def test_every_mdto_reference_resolves_inside_the_package_or_is_marked_external(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    # only the comment: the page it answers is not in the package
    out = transfer(revisited_workspace, tmp_path / "overdracht", query="initiatief")
    documents = [etree.parse(str(p)) for p in (out / "data" / "metadata").glob("*.xml")]
    objects = {
        (
            d.getroot().findtext("*/m:identificatie/m:identificatieKenmerk", namespaces=NS),
            d.getroot().findtext("*/m:identificatie/m:identificatieBron", namespaces=NS),
        )
        for d in documents
    }
    references = [
        (
            ref.getparent().findtext("m:verwijzingNaam", namespaces=NS),
            ref.findtext("m:identificatieKenmerk", namespaces=NS),
            ref.findtext("m:identificatieBron", namespaces=NS),
        )
        for d in documents
        for ref in d.iterfind(".//m:verwijzingIdentificatie", NS)
    ]
    external = [r for r in references if (r[1], r[2]) not in objects]
    assert external and all(naam.startswith("Buiten dit pakket: ") for naam, _, _ in external)
    internal = [r for r in references if (r[1], r[2]) in objects]
    assert any(bron == "WARC-Record-ID" for _, _, bron in internal), "heeftRepresentatie"


def test_the_conformance_report_lists_every_mandatory_point_as_met(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    report = json.loads((out / "data" / "conformance.json").read_text(encoding="utf-8"))
    points = {p["point"]: p["met"] for p in report["points"]}
    assert points == {
        "ISO 28500 WARC": True,
        "Ongecomprimeerd": True,
        "Ten hoogste 1 GB per bestand": True,
        "Elk request en elke response": True,
        "Verplichte WARC-velden": True,
        "MDTO verplichte elementen": True,
        "MDTO bestand beschrijft bytes in het pakket": True,
        "MDTO verwijzingen": True,
    }
    assert report["all_met"] is True
    assert "Archiveren-Conformance: voldaan" in (out / "bag-info.txt").read_text(encoding="utf-8")


def test_the_conformance_report_finds_what_the_guideline_rejects(tmp_path: Path) -> None:
    """The archive's own gzip WARCs written before issue 23, checked as if they were a
    package: compressed, and their requests and metadata name a warcinfo that is there but
    revisits whose originals are not all there."""
    shutil.copytree(
        LEGACY,
        tmp_path / "warcs",
        ignore=shutil.ignore_patterns("*.py", "*.md", "*.txt", "*.yaml", "*.jsonl"),
    )
    points = {p.point: p for p in warc_points(tmp_path / "warcs", captures=0)}
    assert not points["Ongecomprimeerd"].met
    assert len(points["Ongecomprimeerd"].problems) == 4


def without_responses(warc: Path, out: Path) -> None:
    """``warc`` copied to ``out`` without its response records (each record's exact bytes)."""
    keep, offset, size = [], 0, warc.stat().st_size
    while offset < size:
        record, offset = read_raw(warc.parent, warc.name, offset)
        if record.rec_type != "response":
            keep.append(record.data)
    out.write_bytes(b"".join(keep))


def test_the_conformance_report_finds_a_changed_digest_and_a_missing_response(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht", cap=10**9)
    warc = next((out / "data" / "warcs").iterdir())
    changed, missing = tmp_path / "changed", tmp_path / "missing"
    changed.mkdir()
    missing.mkdir()
    (changed / warc.name).write_bytes(warc.read_bytes().replace(b"deel 5", b"deel 6", 1))
    without_responses(warc, missing / warc.name)
    points = {p.point: p for p in warc_points(changed, None)}
    assert [p for p, v in points.items() if not v.met] == ["ISO 28500 WARC"]
    assert "digest" in " ".join(points["ISO 28500 WARC"].problems).lower()
    points = {p.point: p for p in warc_points(missing, None)}
    assert [p for p, v in points.items() if not v.met] == ["Elk request en elke response"]
    problems = points["Elk request en elke response"].problems
    assert any("has no response" in p for p in problems)
    assert any("WARC-Refers-To" in p for p in problems), "revisits whose original is gone"


def test_verify_export_checks_a_transfer_package_and_finds_a_changed_warc(
    revisited_workspace: Workspace, tmp_path: Path
) -> None:
    out = transfer(revisited_workspace, tmp_path / "overdracht")
    check = verify_export_package(out)
    assert check.ok, check.problems
    assert any("conformance" in line.lower() for line in check.checked)
    warc = sorted((out / "data" / "warcs").iterdir())[1]
    data = warc.read_bytes()
    warc.write_bytes(data.replace(b"Omgevingswet", b"Omgevingswel", 1))
    check = verify_export_package(out)
    assert not check.ok
    assert any(warc.name in problem for problem in check.problems)


def test_the_archive_of_before_issue_23_is_exported_as_a_transfer_package_and_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    (data / "warcs").mkdir(parents=True)
    for path in LEGACY.glob("*.warc.gz"):
        shutil.copy(path, data / "warcs" / path.name)
    monkeypatch.setenv("ARCHIVEREN_DEMO_X_TOKEN", "unused")
    ws = Workspace(config_path=LEGACY / "sources.yaml", data_dir=data)
    try:
        ws.catalogue()
        posts = [
            Post.model_validate_json(line)
            for line in (LEGACY / "posts.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        # the Posts of the day point at responses; one more for each revisit (the second
        # collection), so that their originals must be found without a CDXJ index
        revisits = [r.pointer for r in iter_records(data / "warcs") if r.rec_type == "revisit"]
        assert len(revisits) == 8
        posts += [
            posts[0].model_copy(update={"id": f"revisit-{n}", "capture": pointer})
            for n, pointer in enumerate(revisits)
        ]
        ws.backend().index_posts(posts)
        out = run_export(
            ws,
            query="",
            filters={},
            fmt="transfer",
            out=tmp_path / "overdracht",
            reason="overdracht oud archief",
            user="compliance",
        )
    finally:
        ws.close()
    check = verify_export_package(out)
    assert check.ok, check.problems
    report = json.loads((out / "data" / "conformance.json").read_text(encoding="utf-8"))
    assert report["all_met"], [p for p in report["points"] if not p["met"]]
    warcs = sorted((out / "data" / "warcs").iterdir())
    assert len(warcs) == 1, "1 GB holds the whole legacy archive"
    everything = records(warcs[0])
    ids = {h["WARC-Record-ID"] for _, h in everything}
    copied = [h for _, h in everything if h["WARC-Type"] == "revisit"]
    assert len(copied) == 8 and all(h["WARC-Refers-To"] in ids for h in copied)
    checked = jwat(warcs)
    assert checked.returncode == 0, checked.stdout[-3000:]
    result = bagit_java([out])
    assert result.returncode == 0, result.stdout + result.stderr
