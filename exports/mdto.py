"""MDTO metadata (Metagegevens Duurzaam Toegankelijke Overheidsinformatie, XML 1.0.2) for each
exported Post: an ``informatieobject`` for the Post and a ``bestand`` for its capture.

Elements follow the order and the mandatory set of the Nationaal Archief's MDTO-XML 1.0.2 XSD
(identificatie, naam, ..., waardering, bewaartermijn, ..., archiefvormer, beperkingGebruik for an
informatieobject; omvang, bestandsformaat, checksum, isRepresentatieVan for a bestand). The tests
validate generated files against that XSD.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from foundation.post import Post

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.2.xsd"
SOURCE = "archiveren"
PRONOM = {
    "text/html": ("Hypertext Markup Language", "fmt/96"),
    "application/json": ("JSON Data Interchange Format", "fmt/817"),
    "application/xml": ("Extensible Markup Language", "fmt/101"),
    "application/rss+xml": ("Extensible Markup Language", "fmt/101"),
    "application/atom+xml": ("Extensible Markup Language", "fmt/101"),
    "application/zip": ("ZIP Format", "x-fmt/263"),
}
KIND_LABELS = {
    "post": "bericht",
    "comment": "reactie",
    "reply": "antwoord",
    "repost": "doorgeplaatst bericht",
    "page": "webpagina",
}


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


def _verwijzing(parent: etree._Element, name: str, label: str, kenmerk: str | None = None) -> None:
    verwijzing = _el(parent, name)
    _el(verwijzing, "verwijzingNaam", label or "-")
    if kenmerk:
        identificatie = _el(verwijzing, "verwijzingIdentificatie")
        _el(identificatie, "identificatieKenmerk", kenmerk)
        _el(identificatie, "identificatieBron", SOURCE)


def _root() -> etree._Element:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _name(post: Post) -> str:
    name = post.title or post.text[:80] or post.url or post.id
    return " ".join(name.split()) or post.id


def informatieobject_xml(post: Post) -> bytes:
    root = _root()
    obj = _el(root, "informatieobject")
    identificatie = _el(obj, "identificatie")
    _el(identificatie, "identificatieKenmerk", post.id)
    _el(identificatie, "identificatieBron", SOURCE)
    _el(obj, "naam", _name(post))
    _begrip(obj, "aggregatieniveau", "Archiefstuk", "Begrippenlijst Aggregatieniveau MDTO")
    if post.retention.category:
        _begrip(
            obj,
            "classificatie",
            post.retention.category,
            "Selectielijst van de archiefvormer",
            post.retention.category,
        )
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
        _begrip(event, "eventType", "Archivering", "Begrippenlijst Events MDTO")
        _el(event, "eventTijd", post.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        _verwijzing(event, "eventVerantwoordelijkeActor", "archiveren")
    keep = post.retention.keep_until
    _begrip(
        obj,
        "waardering",
        "Tijdelijk te bewaren" if keep else "Blijvend te bewaren",
        "Begrippenlijst Waardering MDTO",
        "V" if keep else "B",
    )
    if keep:
        termijn = _el(obj, "bewaartermijn")
        _el(termijn, "termijnEinddatum", keep.isoformat())
    if post.thread_id and post.thread_id != post.id:
        _verwijzing(obj, "isOnderdeelVan", "gesprek", post.thread_id)
    if post.capture is not None:
        _verwijzing(obj, "heeftRepresentatie", capture_name(post), post.capture.record_id)
    if post.parent_id:
        relatie = _el(obj, "gerelateerdInformatieobject")
        _verwijzing(relatie, "gerelateerdInformatieobjectVerwijzing", "reageert op", post.parent_id)
        _begrip(
            relatie,
            "gerelateerdInformatieobjectTypeRelatie",
            "Reactie op",
            "Begrippenlijst Relaties archiveren",
        )
    _verwijzing(obj, "archiefvormer", post.organisation or "onbekende archiefvormer")
    if post.author:
        betrokkene = _el(obj, "betrokkene")
        _begrip(
            betrokkene, "betrokkeneTypeRelatie", "Auteur", "Begrippenlijst Betrokkenen archiveren"
        )
        _verwijzing(betrokkene, "betrokkeneActor", post.author, post.author_handle or None)
    beperking = _el(obj, "beperkingGebruik")
    _begrip(
        beperking,
        "beperkingGebruikType",
        "Openbaar gepubliceerd; persoonsgegevens (AVG)",
        "Begrippenlijst BeperkingGebruik archiveren",
    )
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return document


def capture_name(post: Post) -> str:
    capture = post.capture
    return f"{capture.warc_file}@{capture.offset}" if capture else post.id


def bestand_xml(
    post: Post, *, size: int, sha256: str, content_type: str, checked_at: datetime
) -> bytes:
    """A capture as an MDTO ``bestand``: the archived payload, its size and SHA-256. Written
    once per capture; the Posts read from it (all tweets of one API page, all comments of one
    page) point at it with ``heeftRepresentatie``, and it names the first of them."""
    capture = post.capture
    root = _root()
    bestand = _el(root, "bestand")
    identificatie = _el(bestand, "identificatie")
    _el(
        identificatie,
        "identificatieKenmerk",
        capture.record_id if capture else post.id + "#capture",
    )
    _el(identificatie, "identificatieBron", "WARC-Record-ID")
    _el(bestand, "naam", capture_name(post))
    _el(bestand, "omvang", str(size))
    label, code = PRONOM.get(
        content_type.split(";")[0].strip().lower(), (content_type or "onbekend formaat", None)
    )
    _begrip(bestand, "bestandsformaat", label, "PRONOM-register", code)
    checksum = _el(bestand, "checksum")
    _begrip(checksum, "checksumAlgoritme", "SHA256", "Begrippenlijst ChecksumAlgoritme MDTO")
    _el(checksum, "checksumWaarde", sha256)
    _el(checksum, "checksumDatum", checked_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    if capture and capture.target_uri.startswith(("http://", "https://")):
        _el(bestand, "URLBestand", capture.target_uri)
    _verwijzing(bestand, "isRepresentatieVan", _name(post), post.id)
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return document
