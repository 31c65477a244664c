"""The Dutch demo content of the Pleio emulator: a community site of civil servants with blogs,
news, discussions, a question, wiki pages and an event, and their comment threads (replies to
comments included). Authors are the demo dataset's people, by key. Written for the demo; no
text is taken from a real Pleio site.

``pleio_items()`` gives fresh, mutable items: the emulator numbers them with Pleio-style
numeric guids and tests may add comments or edit an item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class PleioComment:
    author: str
    """A demo person's key, or a name for a comment left without an account."""
    text: str
    at: datetime
    replies: list[PleioComment] = field(default_factory=list)
    guid: str = ""
    best_answer: bool = False


@dataclass
class PleioItem:
    subtype: str
    """blog, news, discussion, question, wiki or event (Pleio's subtype names)."""
    author: str
    title: str
    paragraphs: list[str]
    tags: list[str]
    created: datetime
    updated: datetime | None = None
    comments: list[PleioComment] = field(default_factory=list)
    rich_format: str = "draftjs"
    """How richDescription is written: 'draftjs' (Pleio until 2022), 'tiptap' (since) or 'html'."""
    parent: str = ""
    """A wiki page's parent page, by title."""
    start: datetime | None = None
    location: str = ""
    guid: str = ""


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def pleio_items() -> list[PleioItem]:
    """The site's content, oldest first."""
    return [
        PleioItem(
            "blog",
            "zoe",
            "Wat de Omgevingswet van ons als ambtenaren vraagt",
            [
                "De Omgevingswet is er. Wat betekent dat voor het werk aan de balie en achter de schermen?",
                "Bij de gemeente Utrecht leerden we dat participatie geen vinkje is maar een gesprek. Drie lessen uit het eerste half jaar.",
            ],
            ["omgevingswet", "participatie"],
            _at("2024-02-12T09:30:00"),
            updated=_at("2024-02-13T08:00:00"),
            comments=[
                PleioComment(
                    "jeroen",
                    "Herkenbaar. Hoe houden jullie bewoners betrokken na de eerste avond?",
                    _at("2024-02-12T11:05:00"),
                    replies=[
                        PleioComment(
                            "zoe",
                            "Met een korte nieuwsbrief na elke sessie, en de tekeningen gewoon online.",
                            _at("2024-02-12T13:40:00"),
                            replies=[
                                PleioComment(
                                    "jeroen",
                                    "Goed idee, dat nemen we over bij BZK.",
                                    _at("2024-02-12T15:10:00"),
                                    replies=[
                                        PleioComment(
                                            "anneke",
                                            "Bij Rijkswaterstaat doen we hetzelfde voor dijkversterkingen.",
                                            _at("2024-02-13T07:45:00"),
                                        )
                                    ],
                                )
                            ],
                        )
                    ],
                ),
                PleioComment(
                    "Marieke (gast)",
                    "Als inwoner: dank voor de uitleg!",
                    _at("2024-02-14T19:20:00"),
                ),
            ],
        ),
        PleioItem(
            "discussion",
            "omer",
            "Open data publiceren: CSV of API?",
            [
                "We willen de verkeersdata van de provincie openbaar maken.",
                "Beginnen we met CSV-bestanden, of meteen met een API? Wie heeft ervaring?",
            ],
            ["opendata", "samenwerking"],
            _at("2024-03-04T14:00:00"),
            comments=[
                PleioComment(
                    "bram",
                    "Begin met CSV: iedereen kan het openen, en je leert wat mensen echt gebruiken.",
                    _at("2024-03-04T15:20:00"),
                    replies=[
                        PleioComment(
                            "omer",
                            "Dat dachten wij ook. En de metadata?",
                            _at("2024-03-04T16:02:00"),
                        )
                    ],
                ),
                PleioComment(
                    "fatima",
                    "Vergeet de privacytoets niet, ook bij geaggregeerde data.",
                    _at("2024-03-05T08:30:00"),
                ),
            ],
            rich_format="tiptap",
        ),
        PleioItem(
            "news",
            "lotte",
            "Nieuwe versie van de Pleio-handleiding voor ambtenaren",
            [
                "De handleiding voor het werken op Pleio is vernieuwd, met een hoofdstuk over archiveren.",
            ],
            ["pleio", "archiveren"],
            _at("2024-03-18T10:00:00"),
            rich_format="html",
        ),
        PleioItem(
            "question",
            "sjoerd",
            "Moet een reactie op Pleio ook gearchiveerd worden?",
            [
                "Onze archivaris vraagt of reacties onder een blog onder de Archiefwet vallen. Wie weet dat?",
            ],
            ["archiefwet", "archiveren"],
            _at("2024-04-02T09:15:00"),
            comments=[
                PleioComment(
                    "keesjan",
                    "Ja: het zijn overheidsinformatie als ze over je werk gaan. Zie de selectielijst.",
                    _at("2024-04-02T10:40:00"),
                    best_answer=True,
                ),
                PleioComment(
                    "anneke",
                    "Wij bewaren de hele draad, dan blijft de context er ook bij.",
                    _at("2024-04-02T12:05:00"),
                ),
            ],
        ),
        PleioItem(
            "blog",
            "jeroen",
            "Samenwerken over de grenzen van je organisatie",
            [
                "Samenwerking tussen ministeries begint bij mensen die elkaar kennen.",
                "Op Pleio vinden we elkaar sneller dan via de lijn.",
            ],
            ["samenwerking", "ambtenaar20"],
            _at("2024-04-20T16:45:00"),
            comments=[
                PleioComment(
                    "lotte",
                    "Mooi stuk. Bij IenW merken we hetzelfde.",
                    _at("2024-04-21T09:00:00"),
                )
            ],
        ),
        PleioItem(
            "wiki",
            "anneke",
            "Handleiding archiveren van online werk",
            [
                "Deze pagina beschrijft hoe je online werk als overheidsinformatie bewaart.",
                "Stap 1: maak een lijst van de kanalen die je gebruikt.",
            ],
            ["archiveren"],
            _at("2024-05-01T08:00:00"),
            updated=_at("2024-05-10T12:00:00"),
            rich_format="tiptap",
        ),
        PleioItem(
            "wiki",
            "anneke",
            "Bewaartermijnen per kanaal",
            ["Blogs en discussies: tien jaar. Evenementen: vijf jaar."],
            ["archiveren", "selectielijst"],
            _at("2024-05-02T08:30:00"),
            parent="Handleiding archiveren van online werk",
        ),
        PleioItem(
            "event",
            "zoe",
            "Meetup Ambtenaar 2.0: archiveren in de praktijk",
            ["Een middag over het bewaren van blogs, posts en discussies. Iedereen is welkom."],
            ["ambtenaar20", "archiveren"],
            _at("2024-05-15T11:00:00"),
            start=_at("2024-06-20T13:00:00"),
            location="Stadskantoor Utrecht",
            comments=[
                PleioComment(
                    "bram",
                    "Ik kom! Is er ook een online deelname?",
                    _at("2024-05-16T09:30:00"),
                    replies=[
                        PleioComment(
                            "zoe", "Ja, de link volgt per mail.", _at("2024-05-16T10:00:00")
                        )
                    ],
                )
            ],
        ),
        PleioItem(
            "discussion",
            "keesjan",
            "Welke tools gebruiken jullie voor thuiswerken?",
            ["Bij de gemeente Zwolle zoeken we een goede set. Wat werkt bij jullie?"],
            ["samenwerking"],
            _at("2024-06-03T13:00:00"),
        ),
    ]
