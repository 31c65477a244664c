"""The conformance report of a transfer package: for each mandatory point of the Nationaal
Archief's guideline for web archives (ISO 28500 WARC, uncompressed, at most 1 GB per file, every
request and response, the mandatory WARC fields) and of MDTO (the mandatory elements, bestanden
that describe bytes in the package, references that resolve), met or not met, with what was
found. It is computed by reading the finished package back, not from what the writer meant to
write, and ``archiveren verify-export`` computes it again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag

from jinja2 import Environment, select_autoescape
from lxml import etree
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from exports.mdto import EXTERNAL, MANDATORY, NS

GIGABYTE = 1_000_000_000
REPORT_JSON = "conformance.json"
REPORT_HTML = "conformance.html"
MANDATORY_WARC = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
"""ISO 28500:2017 section 5: mandatory in every record."""
MANDATORY_BY_TYPE = {
    "request": ("WARC-Target-URI",),
    "response": ("WARC-Target-URI",),
    "revisit": ("WARC-Target-URI", "WARC-Profile"),
}
MAX_PROBLEMS = 20


@dataclass
class Point:
    point: str
    requirement: str
    met: bool
    detail: str
    problems: list[str] = field(default_factory=list)


@dataclass
class _WarcFacts:
    files: dict[str, int] = field(default_factory=dict)
    compressed: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    digest_problems: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    by_type: dict[str, int] = field(default_factory=dict)
    concurrent: dict[str, set[str]] = field(default_factory=dict)
    """record id -> types of the records that name it in WARC-Concurrent-To"""
    typed: dict[str, str] = field(default_factory=dict)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    """(record id, header, id it names) for WARC-Refers-To and WARC-Warcinfo-ID"""


def _read_warcs(warcs: Path) -> _WarcFacts:
    facts = _WarcFacts()
    for path in sorted(warcs.iterdir()):
        facts.files[path.name] = path.stat().st_size
        with path.open("rb") as handle:
            if handle.read(2) == b"\x1f\x8b" or path.suffix != ".warc":
                facts.compressed.append(path.name)
            handle.seek(0)
            try:
                _read_records(path.name, handle, facts)
            except (ArchiveLoadFailed, ValueError, OSError) as exc:
                facts.unreadable.append(f"{path.name}: {exc}")
    return facts


def _read_records(name: str, handle: object, facts: _WarcFacts) -> None:
    records = ArchiveIterator(handle, check_digests=True)
    for record in records:
        offset = records.get_record_offset()
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID") or ""
        rec_type = record.rec_type or ""
        facts.versions[headers.protocol] = facts.versions.get(headers.protocol, 0) + 1
        facts.by_type[rec_type] = facts.by_type.get(rec_type, 0) + 1
        facts.ids.add(record_id)
        facts.typed[record_id] = rec_type
        for needed in (*MANDATORY_WARC, *MANDATORY_BY_TYPE.get(rec_type, ())):
            if not headers.get_header(needed):
                facts.missing_fields.append(f"{name}@{offset} ({rec_type}): {needed}")
        for link in ("WARC-Refers-To", "WARC-Warcinfo-ID"):
            target = headers.get_header(link)
            if target:
                facts.references.append((record_id, link, target))
        concurrent = headers.get_header("WARC-Concurrent-To")
        if concurrent:
            facts.concurrent.setdefault(concurrent, set()).add(rec_type)
        record.raw_stream.read()  # the digests are checked as the block is read
        if record.digest_checker.passed is False:
            facts.digest_problems += [
                f"{name}@{offset}: {p}" for p in record.digest_checker.problems
            ]


def _point(point: str, requirement: str, problems: list[str], detail: str) -> Point:
    return Point(point, requirement, not problems, detail, problems[:MAX_PROBLEMS])


def warc_points(warcs: Path, captures: int | None) -> list[Point]:
    facts = _read_warcs(warcs)
    largest = max(facts.files.values(), default=0)
    requests = facts.by_type.get("request", 0)
    answered = {"response", "revisit"}
    unpaired = [
        f"{rid} ({kind}) has no {'request' if kind != 'request' else 'response'}"
        for rid, kind in facts.typed.items()
        if kind in ("response", "revisit") and "request" not in facts.concurrent.get(rid, set())
    ]
    unpaired += [
        f"request for {target} has no response in the package"
        for target, kinds in facts.concurrent.items()
        if "request" in kinds and facts.typed.get(target) not in answered
    ]
    dangling = [
        f"{rid}: {link} {target}"
        for rid, link, target in facts.references
        if target not in facts.ids
    ]
    other_versions = [f"{v}: {n} records" for v, n in facts.versions.items() if v != "WARC/1.1"]
    return [
        _point(
            "ISO 28500 WARC",
            "WARC/1.1 (ISO 28500:2017), leesbaar, blok- en payload-digests kloppen",
            facts.unreadable + other_versions + facts.digest_problems,
            f"{sum(facts.versions.values())} records in {len(facts.files)} bestanden, versies "
            + ", ".join(f"{v} ({n})" for v, n in sorted(facts.versions.items())),
        ),
        _point(
            "Ongecomprimeerd",
            "WARC-bestanden zonder gzip (.warc)",
            facts.compressed,
            f"{len(facts.files) - len(facts.compressed)} van {len(facts.files)} ongecomprimeerd",
        ),
        _point(
            "Ten hoogste 1 GB per bestand",
            f"elk WARC-bestand ≤ {GIGABYTE:,} bytes".replace(",", "."),
            [f"{n}: {s} bytes" for n, s in facts.files.items() if s > GIGABYTE],
            f"grootste bestand {largest:,} bytes".replace(",", "."),
        ),
        _point(
            "Elk request en elke response",
            "bij elke response of revisit het request en omgekeerd; verwijzingen binnen het pakket",
            unpaired + dangling,
            f"{requests} requests, {facts.by_type.get('response', 0)} responses, "
            f"{facts.by_type.get('revisit', 0)} revisits"
            + (f"; {captures} vastleggingen van de selectie" if captures is not None else ""),
        ),
        _point(
            "Verplichte WARC-velden",
            "WARC-Record-ID, Content-Length, WARC-Date, WARC-Type; WARC-Target-URI bij request, "
            "response en revisit; WARC-Profile bij revisit",
            facts.missing_fields,
            f"{sum(facts.by_type.values())} records nagelopen",
        ),
    ]


def mdto_points(metadata: Path, package_root: Path) -> list[Point]:
    missing: list[str] = []
    unresolved: list[str] = []
    wrong_bytes: list[str] = []
    objects: set[tuple[str, str]] = set()
    references: list[tuple[str, str, str, str]] = []
    bestanden = 0
    files = sorted(metadata.glob("*.xml"))
    for path in files:
        root = etree.parse(str(path)).getroot()
        for kind, required in MANDATORY.items():
            obj = root.find(f"{{{NS}}}{kind}")
            if obj is None:
                continue
            absent = [name for name in required if obj.find(f"{{{NS}}}{name}") is None]
            if absent:
                missing.append(f"{path.name}: {kind} zonder {', '.join(absent)}")
            kenmerk = obj.findtext(f"{{{NS}}}identificatie/{{{NS}}}identificatieKenmerk") or ""
            bron = obj.findtext(f"{{{NS}}}identificatie/{{{NS}}}identificatieBron") or ""
            objects.add((kenmerk, bron))
            for ref in obj.iter(f"{{{NS}}}verwijzingIdentificatie"):
                naam = ref.getparent().findtext(f"{{{NS}}}verwijzingNaam") or ""
                references.append(
                    (
                        path.name,
                        naam,
                        ref.findtext(f"{{{NS}}}identificatieKenmerk") or "",
                        ref.findtext(f"{{{NS}}}identificatieBron") or "",
                    )
                )
            if kind == "bestand":
                bestanden += 1
                problem = bestand_problem(path, obj, package_root)
                if problem:
                    wrong_bytes.append(problem)
    for name, naam, kenmerk, bron in references:
        if (kenmerk, bron) not in objects and not naam.startswith(EXTERNAL):
            unresolved.append(f"{name}: {naam} ({bron} {kenmerk})")
    return [
        _point(
            "MDTO verplichte elementen",
            "informatieobject: "
            + ", ".join(MANDATORY["informatieobject"])
            + "; bestand: "
            + ", ".join(MANDATORY["bestand"]),
            missing,
            f"{len(files)} MDTO-bestanden",
        ),
        _point(
            "MDTO bestand beschrijft bytes in het pakket",
            "URLBestand wijst in het pakket; omvang en SHA-256 kloppen met die bytes",
            wrong_bytes,
            f"{bestanden} bestanden nagerekend",
        ),
        _point(
            "MDTO verwijzingen",
            "elke verwijzing met identificatie wijst naar een object in het pakket of is als extern gemarkeerd",
            unresolved,
            f"{len(references)} verwijzingen",
        ),
    ]


def bestand_problem(path: Path, bestand: etree._Element, package_root: Path) -> str:
    """Why a bestand does not describe bytes in the package ('' when it does). ``URLBestand``
    is relative to the MDTO file; ``#offset=N`` names a WARC record, whose HTTP payload (or,
    for a record without one, its block) is the bestand."""
    url = bestand.findtext(f"{{{NS}}}URLBestand") or ""
    if not url:
        return f"{path.name}: geen URLBestand"
    location, fragment = urldefrag(url)
    target = (path.parent / unquote(location)).resolve()
    if not target.is_relative_to(package_root.resolve()) or not target.is_file():
        return f"{path.name}: URLBestand {url} wijst niet naar een bestand in het pakket"
    if fragment.startswith("offset="):
        data = _record_payload(target, int(fragment.removeprefix("offset=")))
    else:
        data = target.read_bytes()
    size = bestand.findtext(f"{{{NS}}}omvang")
    sha256 = next(
        (
            c.findtext(f"{{{NS}}}checksumWaarde")
            for c in bestand.iterfind(f"{{{NS}}}checksum")
            if c.findtext(f"{{{NS}}}checksumAlgoritme/{{{NS}}}begripLabel") == "SHA256"
        ),
        None,
    )
    if data is None:
        return f"{path.name}: geen WARC-record op {url}"
    if size != str(len(data)) or sha256 != hashlib.sha256(data).hexdigest():
        return f"{path.name}: omvang of SHA-256 klopt niet met {url}"
    return ""


def _record_payload(warc: Path, offset: int) -> bytes | None:
    with warc.open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)), None)
        if record is None:
            return None
        return bytes(record.raw_stream.read())


def write_report(directory: Path, export_id: str, points: list[Point]) -> None:
    report = {
        "package": export_id,
        "all_met": all(p.met for p in points),
        "points": [asdict(p) for p in points],
    }
    (directory / REPORT_JSON).write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = environment.from_string(TEMPLATE).render(export_id=export_id, points=points)
    (directory / REPORT_HTML).write_text(html, encoding="utf-8")


TEMPLATE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Conformiteit {{ export_id }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}
td,th{padding:.2rem .5rem;text-align:left;vertical-align:top}.nee{color:#a00}</style></head>
<body><h1>Conformiteitsrapport overdrachtspakket</h1><p><code>{{ export_id }}</code></p>
<p>Richtlijn van het Nationaal Archief voor webarchieven en MDTO 1.0.2: per verplicht punt
voldaan of niet, berekend door het pakket na het schrijven terug te lezen.</p>
<table><tr><th>Punt</th><th>Eis</th><th>Voldaan</th><th>Bevinding</th></tr>
{% for p in points %}<tr><td>{{ p.point }}</td><td>{{ p.requirement }}</td>
<td class="{{ 'ja' if p.met else 'nee' }}">{{ 'ja' if p.met else 'nee' }}</td>
<td>{{ p.detail }}{% for problem in p.problems %}<br><code>{{ problem }}</code>{% endfor %}</td></tr>
{% endfor %}</table></body></html>
"""
