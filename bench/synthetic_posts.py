"""A deterministic synthetic corpus of Dutch tweet-, blog-, comment- and page-like Posts for the
search benchmark: the same seed gives the same Posts. Words follow a Zipf-like distribution
over a Dutch civil-service vocabulary so that common and rare terms behave as in real text.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from foundation.post import Post

WORDS = """
de het een en van in op voor met aan als bij om door over naar uit tot ook maar niet wel nog
ambtenaar ambtenaren overheid gemeente gemeenten provincie ministerie rijk rijksoverheid beleid
burger burgers inwoners dienstverlening digitaal digitale online website internet web sociale
media twitter blog netwerk samenwerken samenwerking open data transparantie participatie
informatie archief archieven archivering informatiebeheer privacy avg wet wetgeving regels
richtlijn richtlijnen project projecten team collega collega's werk werken werkt thuiswerken
vergadering overleg verslag rapport nota advies besluit raad college wethouder minister
kabinet begroting geld subsidie investering innovatie experiment pilot onderzoek kennis
delen leren vraag vragen antwoord antwoorden discussie mening idee ideeën plan plannen doel
doelen resultaat resultaten succes probleem problemen oplossing oplossingen toekomst verleden
vandaag morgen gisteren week maand jaar jaren tijd dag dagen nieuw nieuwe oud oude goed goede
slecht mooi belangrijk groot grote klein kleine snel langzaam eerste laatste veel weinig
meer minder iedereen niemand samen alleen zelf graag helaas eindelijk misschien zeker
zorg onderwijs veiligheid klimaat energie woningbouw verkeer vervoer omgevingswet duurzaam
duurzaamheid cultuur sport jeugd ouderen armoede schulden werkgelegenheid economie bedrijven
ondernemers platform community leden bijeenkomst meetup congres presentatie workshop training
handboek pagina wiki artikel bericht berichten reactie reacties tweet post nieuws update
koffie lunch trein fiets kantoor bureau scherm laptop telefoon mail e-mail videobellen
integriteit verantwoording toezicht controle audit risico risico's kwaliteit proces processen
""".split()
FIRST_NAMES = "Jan Piet Kees Anna Sanne Fleur Daan Sem Lotte Zoë Anaïs Özlem Mohammed Fatima Jeroen Eva Bram Noor Ruud Ingrid Marieke Joost Sophie Lucas Thijs Emma Yara Jesse Milan Ilse".split()
LAST_NAMES = "de Vries|Jansen|de Jong|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Dijk|Yılmaz|El Amrani|Dekker|Brouwer|de Wit|van den Berg|Kok|Janssen|Verhoeven|Schouten".split(
    "|"
)
ORGANISATIONS = [
    "BZK",
    "Rijksoverheid",
    "Gemeente Utrecht",
    "Gemeente Amsterdam",
    "Provincie Gelderland",
    "Ambtenaar 2.0",
    "Belastingdienst",
    "UWV",
    "RVO",
    "Nationaal Archief",
    "VNG",
    "Waterschap Rivierenland",
]
PLATFORM_WEIGHTS = {"x": 45, "mastodon": 15, "blog": 15, "network": 15, "wiki": 5, "web": 5}
START = datetime(2008, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2025, 1, 1, tzinfo=UTC) - START).total_seconds())


class SyntheticCorpus:
    """Posts numbered 0..n-1; post i depends only on the seed and i's predecessors' ids."""

    def __init__(self, seed: int = 20240501) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = WORDS
        self.word_weights = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(WORDS))))
        self.authors = [
            f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)} {n}" for n in range(3000)
        ]
        self.author_weights = list(
            accumulate(1.0 / (rank + 1) ** 0.7 for rank in range(len(self.authors)))
        )
        self.hashtags = [
            f"{word.replace('-', '').replace(chr(39), '')}{suffix}"
            for word in WORDS[40:]
            for suffix in ("", "20")
        ]
        self.hashtag_weights = list(
            accumulate(1.0 / (rank + 1) for rank in range(len(self.hashtags)))
        )
        self.sources = {
            platform: [f"{platform}-bron-{n:02d}" for n in range(12)]
            for platform in PLATFORM_WEIGHTS
        }
        self.platforms = list(PLATFORM_WEIGHTS)
        self.platform_weights = list(accumulate(PLATFORM_WEIGHTS.values()))

    def words(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.vocabulary, cum_weights=self.word_weights, k=count))

    def posts(self, count: int) -> Iterator[Post]:
        rng = self.rng
        recent_threads: list[tuple[str, str, str, datetime]] = []  # (id, thread id, platform, date)
        for number in range(count):
            platform = rng.choices(self.platforms, cum_weights=self.platform_weights)[0]
            source = rng.choice(self.sources[platform])
            kind, parent, thread = "post", "", ""
            published = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            same_platform = [t for t in recent_threads[-8:] if t[2] == platform]
            if (
                platform in ("x", "mastodon", "blog", "network")
                and same_platform
                and rng.random() < 0.35
            ):
                parent, thread, _, parent_date = rng.choice(same_platform)
                kind = {"x": "reply", "mastodon": "reply"}.get(platform, "comment")
                published = parent_date + timedelta(minutes=rng.randint(1, 4000))
            elif platform in ("x", "mastodon") and rng.random() < 0.1:
                kind = "repost"
            elif platform in ("wiki", "web"):
                kind = "page"
            post_id = f"{platform}:{number}"
            tags = sorted(
                set(
                    rng.choices(
                        self.hashtags,
                        cum_weights=self.hashtag_weights,
                        k=rng.choice((0, 0, 1, 1, 2, 3)),
                    )
                )
            )
            if platform in ("x", "mastodon"):
                title, text = "", self.words(6, 40) + "".join(f" #{tag}" for tag in tags)
            elif kind == "comment":
                title, text = "", self.words(8, 80)
            else:
                title, text = self.words(3, 9).capitalize(), self.words(60, 350)
            author = rng.choices(self.authors, cum_weights=self.author_weights)[0]
            if kind in ("post", "page"):
                thread = post_id
                recent_threads.append((post_id, thread, platform, published))
                del recent_threads[:-64]
            yield Post(
                id=post_id,
                platform=platform,  # type: ignore[arg-type]
                source=source,
                organisation=ORGANISATIONS[sum(map(ord, source)) % len(ORGANISATIONS)],
                kind=kind,  # type: ignore[arg-type]
                url=f"https://{platform}.example.org/{number}",
                title=title,
                text=text,
                lang="nl",
                author=author,
                author_handle=author.lower().replace(" ", ""),
                published_at=published,
                parent_id=parent,
                thread_id=thread,
                hashtags=tags,
            )
