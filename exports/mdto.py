"""MDTO metadata (Metagegevens Duurzaam Toegankelijke Overheidsinformatie, XML 1.0.2) for what an
export holds: an ``informatieobject`` per Post (and one for a transfer package as a whole) and
a ``bestand`` per set of bytes in the package (a capture's HTTP payload as stored in a WARC
record of the package, or a whole WARC file).

Elements follow the order and the mandatory set of the Nationaal Archief's MDTO-XML 1.0.2 XSD;
the tests validate every file against it. References are ``Ref`` values, so a reference and
the object it names carry the same ``identificatieKenmerk`` and ``identificatieBron``; a
reference to something that is not in the package says so in its name (``EXTERNAL``).
``waardering`` is "N" (Nader te bepalen): archiveren has no appraisal setting, so nothing in it
decides B or V; the selectielijst category goes in ``informatiecategorie`` and a known end of
retention in ``bewaartermijn``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from foundation.post import Post
from foundation.tombstone import Tombstone

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.2.xsd"
SOURCE = "archiveren"
"""identificatieBron of Posts: their id in archiveren's index."""
RECORD_SOURCE = "WARC-Record-ID"
"""identificatieBron of a payload bestand: the id of the WARC record that holds it."""
EXTERNAL = "Buiten dit pakket: "
"""Starts the name of a reference to an object that is not in the package."""
MANDATORY = {
    "informatieobject": (
        "identificatie",
        "naam",
        "waardering",
        "archiefvormer",
        "beperkingGebruik",
    ),
    "bestand": (
        "identificatie",
        "naam",
        "omvang",
        "bestandsformaat",
        "checksum",
        "isRepresentatieVan",
    ),
}
"""MDTO 1.0.2's mandatory elements per object type."""
PRONOM = {
    "text/html": ("Hypertext Markup Language", "fmt/96"),
    "application/json": ("JSON Data Interchange Format", "fmt/817"),
    "application/xml": ("Extensible Markup Language", "fmt/101"),
    "text/xml": ("Extensible Markup Language", "fmt/101"),
    "application/rss+xml": ("Extensible Markup Language", "fmt/101"),
    "application/atom+xml": ("Extensible Markup Language", "fmt/101"),
    "application/zip": ("ZIP Format", "x-fmt/263"),
    "application/warc": ("WARC (ISO 28500), WARC/1.1", "fmt/289"),
}
KIND_LABELS = {
    "post": "bericht",
    "comment": "reactie",
    "reply": "antwoord",
    "repost": "doorgeplaatst bericht",
    "page": "webpagina",
}


@dataclass(frozen=True)
class Ref:
    """An MDTO object as a reference names it: its name and identification."""

    naam: str
    kenmerk: str
    bron: str

    def external(self) -> Ref:
        return Ref(EXTERNAL + self.naam, self.kenmerk, self.bron)


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    value: str


def post_ref(post_id: str, naam: str) -> Ref:
    return Ref(" ".join(naam.split()) or post_id, post_id, SOURCE)


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _begrip(
    parent: etree._Element, name: str, label: str, lijst: str, code: str | None = None
) -> None:
    begrip = _el(parent, name)
    _el(begrip, "begripLabel", label)
    if code:
        _el(begrip, "begripCode", code)
    _el(_el(begrip, "begripBegrippenlijst"), "verwijzingNaam", lijst)


def _naam(parent: etree._Element, name: str, label: str) -> None:
    """A reference by name only (a person, an organisation, a list): no object it could miss."""
    _el(_el(parent, name), "verwijzingNaam", label or "-")


def _verwijzing(parent: etree._Element, name: str, ref: Ref) -> None:
    verwijzing = _el(parent, name)
    _el(verwijzing, "verwijzingNaam", ref.naam or "-")
    identificatie = _el(verwijzing, "verwijzingIdentificatie")
    _el(identificatie, "identificatieKenmerk", ref.kenmerk)
    _el(identificatie, "identificatieBron", ref.bron)


def _root() -> etree._Element:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _document(root: etree._Element) -> bytes:
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return document


def _identificatie(parent: etree._Element, ref: Ref) -> None:
    identificatie = _el(parent, "identificatie")
    _el(identificatie, "identificatieKenmerk", ref.kenmerk)
    _el(identificatie, "identificatieBron", ref.bron)
    _el(parent, "naam", ref.naam)


def _waardering(parent: etree._Element) -> None:
    _begrip(parent, "waardering", "Nader te bepalen", "Begrippenlijst Waarderingen MDTO", "N")


def _beperking(parent: etree._Element) -> None:
    beperking = _el(parent, "beperkingGebruik")
    _begrip(
        beperking,
        "beperkingGebruikType",
        "Openbaar gepubliceerd; persoonsgegevens (AVG)",
        "Begrippenlijst BeperkingGebruik archiveren",
    )


def post_name(post: Post) -> str:
    name = post.title or post.text[:80] or post.url or post.id
    return " ".join(name.split()) or post.id


def _wijzigingen(obj: etree._Element, post: Post) -> None:
    """An event ``Wijziging`` for each wording after the first (versions, foundation/post_version
    .py): when it appeared, by the platform's word or else its first capture, and which capture
    holds it; ``Verwijdering`` when it was found gone at its source (and ``Terugplaatsing``
    when it came back)."""
    wordings = [*post.versions, post.current_version()] if post.versions else []
    for number, version in enumerate(wordings[1:], start=2):
        moment = version.dated()
        if moment is None:
            continue
        event = _el(obj, "event")
        _begrip(event, "eventType", "Wijziging", "Begrippenlijst EventTypes archiveren")
        _el(event, "eventTijd", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        _naam(event, "eventVerantwoordelijkeActor", post.author or post.author_handle or "bron")
        where = f"; vastgelegd in {version.capture.record_id}" if version.capture else ""
        _el(event, "eventResultaat", f"versie {number} van {len(wordings)}{where}")
    gone = post.tombstone
    if gone is None:
        return
    event = _el(obj, "event")
    _begrip(event, "eventType", "Verwijdering", "Begrippenlijst EventTypes archiveren")
    _el(event, "eventTijd", gone.missing_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    _naam(event, "eventVerantwoordelijkeActor", post.author or post.author_handle or "bron")
    evidence = f"; bewijs {gone.evidence.record_id}" if gone.evidence else ""
    _el(event, "eventResultaat", f"bij de bron verwijderd: {_how_found(gone)}{evidence}")
    if gone.restored_at is not None:
        event = _el(obj, "event")
        _begrip(event, "eventType", "Terugplaatsing", "Begrippenlijst EventTypes archiveren")
        _el(event, "eventTijd", gone.restored_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        _naam(event, "eventVerantwoordelijkeActor", post.author or post.author_handle or "bron")


def _how_found(gone: Tombstone) -> str:
    if gone.how == "not_found_error":
        return "de API van het platform kent het niet meer"
    if gone.how == "missing_from_page":
        return f"ontbreekt op de opnieuw vastgelegde pagina (HTTP {gone.status})"
    return f"HTTP {gone.status}"


def informatieobject_xml(
    post: Post, *, representaties: list[Ref], in_package: Callable[[str], bool]
) -> bytes:
    """The Post as an ``informatieobject``; ``representaties`` are the bestanden of its
    captures, ``in_package`` tells whether another Post (its thread, its parent) is in the
    package."""
    root = _root()
    obj = _el(root, "informatieobject")
    _identificatie(obj, post_ref(post.id, post_name(post)))
    _begrip(obj, "aggregatieniveau", "Archiefstuk", "Begrippenlijst Aggregatieniveaus MDTO")
    for tag in post.hashtags:
        _el(obj, "trefwoord", tag)
    _el(
        obj,
        "omschrijving",
        f"{KIND_LABELS.get(post.kind, post.kind)} op {post.platform}: {post.url}",
    )
    if post.published_at:
        dekking = _el(obj, "dekkingInTijd")
        _begrip(
            dekking,
            "dekkingInTijdType",
            "Publicatiedatum",
            "Begrippenlijst DekkingInTijd archiveren",
        )
        _el(
            dekking, "dekkingInTijdBegindatum", post.published_at.astimezone(UTC).date().isoformat()
        )
    if post.lang and len(post.lang) in (2, 3):
        _el(obj, "taal", post.lang)
    if post.collected_at:
        event = _el(obj, "event")
        _begrip(event, "eventType", "Archivering", "Begrippenlijst EventTypeLijst MDTO")
        _el(event, "eventTijd", post.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        _naam(event, "eventVerantwoordelijkeActor", "archiveren")
    _wijzigingen(obj, post)
    _waardering(obj)
    if post.retention.keep_until:
        termijn = _el(obj, "bewaartermijn")
        _el(termijn, "termijnEinddatum", post.retention.keep_until.isoformat())
    if post.retention.category:
        _begrip(
            obj,
            "informatiecategorie",
            post.retention.category,
            f"Selectielijst {post.organisation or 'van de archiefvormer'}",
            post.retention.category,
        )

    def other(post_id: str, naam: str) -> Ref:
        ref = post_ref(post_id, naam)
        return ref if in_package(post_id) else ref.external()

    if post.thread_id and post.thread_id != post.id:
        _verwijzing(obj, "isOnderdeelVan", other(post.thread_id, "gesprek"))
    for representatie in representaties:
        _verwijzing(obj, "heeftRepresentatie", representatie)
    if post.parent_id:
        relatie = _el(obj, "gerelateerdInformatieobject")
        _verwijzing(
            relatie, "gerelateerdInformatieobjectVerwijzing", other(post.parent_id, "reageert op")
        )
        _begrip(
            relatie,
            "gerelateerdInformatieobjectTypeRelatie",
            "Reactie op",
            "Begrippenlijst Relaties archiveren",
        )
    _naam(obj, "archiefvormer", post.organisation or "onbekende archiefvormer")
    if post.author:
        betrokkene = _el(obj, "betrokkene")
        _begrip(
            betrokkene, "betrokkeneTypeRelatie", "Auteur", "Begrippenlijst Betrokkenen archiveren"
        )
        actor = _el(betrokkene, "betrokkeneActor")
        _el(actor, "verwijzingNaam", post.author)
    _beperking(obj)
    return _document(root)


def package_xml(package: Ref, *, omschrijving: str, organisation: str, files: list[Ref]) -> bytes:
    """A transfer package as an ``informatieobject`` (aggregatieniveau Dossier) whose
    representations are its WARC files."""
    root = _root()
    obj = _el(root, "informatieobject")
    _identificatie(obj, package)
    _begrip(obj, "aggregatieniveau", "Dossier", "Begrippenlijst Aggregatieniveaus MDTO")
    if omschrijving:
        _el(obj, "omschrijving", omschrijving)
    _waardering(obj)
    for ref in files:
        _verwijzing(obj, "heeftRepresentatie", ref)
    _naam(obj, "archiefvormer", organisation or "onbekende archiefvormer")
    _beperking(obj)
    return _document(root)


def bestand_xml(
    bestand: Ref,
    *,
    size: int,
    checksums: list[Checksum],
    content_type: str,
    url: str | None,
    represents: Ref,
    checked_at: datetime,
) -> bytes:
    """Bytes in the package as an MDTO ``bestand``: their size, format and checksums, where
    they are (``url``, relative to the MDTO file) and the informatieobject they represent."""
    root = _root()
    element = _el(root, "bestand")
    _identificatie(element, bestand)
    _el(element, "omvang", str(size))
    media = content_type.split(";")[0].strip().lower()
    label, code = PRONOM.get(media, (media or "onbekend formaat", None))
    _begrip(element, "bestandsformaat", label, "PRONOM-register", code)
    for checksum in checksums:
        block = _el(element, "checksum")
        _begrip(
            block, "checksumAlgoritme", checksum.algorithm, "Begrippenlijst ChecksumAlgoritme MDTO"
        )
        _el(block, "checksumWaarde", checksum.value)
        _el(block, "checksumDatum", checked_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    if url:
        _el(element, "URLBestand", url)
    _verwijzing(element, "isRepresentatieVan", represents)
    return _document(root)
