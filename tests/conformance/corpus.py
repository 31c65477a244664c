"""The fixed conformance corpus: 41 hand-written Dutch Posts from every platform and kind, with
threads, hashtags (mixed case), mentions, non-ASCII authors, dates from 2008 to 2024 (one with
a +01:00 offset that falls in the previous UTC year), two undated Posts and one hostile
``<script>`` page. Every backend is tested against the answers written next to the tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from indexer.post import Post

_ORGANISATIONS = {
    "ambtenaar20-blog": "Ambtenaar 2.0",
    "x-rijk": "Rijksoverheid",
    "social-overheid": "BZK",
    "ambtenaar20-netwerk": "Ambtenaar 2.0",
    "pbworks-wiki": "Ambtenaar 2.0",
    "rijksoverheid-web": "Rijksoverheid",
}
_PLATFORMS = {
    "ambtenaar20-blog": "blog",
    "x-rijk": "x",
    "social-overheid": "mastodon",
    "ambtenaar20-netwerk": "network",
    "pbworks-wiki": "wiki",
    "rijksoverheid-web": "web",
}
_HANDLES = {
    "Davied van Berlo": "davied",
    "Zoë Bakker": "zoebakker",
    "Anaïs de Wit": "anaisdewit",
    "Jeroen de Vries": "jdevries",
    "Özlem Yılmaz": "ozlem",
    "Piet Jansen": "pietjansen",
}


def _post(
    post_id: str,
    source: str,
    when: str | None,
    author: str,
    text: str,
    *,
    title: str = "",
    kind: str = "post",
    parent: str = "",
    thread: str = "",
    hashtags: tuple[str, ...] = (),
    mentions: tuple[str, ...] = (),
    lang: str = "nl",
) -> Post:
    published = datetime.fromisoformat(when) if when else None
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    return Post(
        id=post_id,
        platform=_PLATFORMS[source],  # type: ignore[arg-type]
        source=source,
        organisation=_ORGANISATIONS[source],
        kind=kind,  # type: ignore[arg-type]
        url=f"https://example.org/{post_id.replace(':', '/')}",
        title=title,
        text=text,
        lang=lang,
        author=author,
        author_handle=_HANDLES.get(author, ""),
        published_at=published,
        collected_at=published + timedelta(days=1) if published else None,
        parent_id=parent,
        thread_id=thread or (post_id if kind in ("post", "page") else ""),
        hashtags=list(hashtags),
        mentions=list(mentions),
    )


CORPUS: list[Post] = [
    _post("blog:1", "ambtenaar20-blog", "2008-03-12T09:00:00", "Davied van Berlo", "Wat betekent het web voor ambtenaren? Een eerste verkenning van open overheid en samenwerken.", title="Ambtenaar 2.0: een begin", hashtags=("ambtenaar20",)),
    _post("blog:2", "ambtenaar20-blog", "2008-03-13T10:00:00", "Zoë Bakker", "Mooi stuk! Ik werk als ambtenaar bij een gemeente en herken dit.", kind="comment", parent="blog:1", thread="blog:1"),
    _post("blog:3", "ambtenaar20-blog", "2008-03-14T11:00:00", "Anaïs de Wit", "De overheid is open als de ambtenaar dat durft.", kind="comment", parent="blog:1", thread="blog:1"),
    _post("blog:4", "ambtenaar20-blog", "2010-06-01T08:00:00", "Davied van Berlo", "Een vergelijking van de publieke dienst in België met die in Nederland.", title="Werken in België en Nederland"),
    _post("blog:5", "ambtenaar20-blog", "2012-11-20T12:00:00", "Davied van Berlo", "Hoe medewerkers van het Rijk samen kennis delen op een wiki.", title="Wiki's bij de Rijksoverheid"),
    _post("blog:6", "ambtenaar20-blog", "2014-04-04T12:00:00", "Davied van Berlo", "Terugblik op bijna tien jaar experimenten met sociale media in de publieke sector.", title="Tien jaar webexperimenten"),
    _post("blog:7", "ambtenaar20-blog", "2014-04-05T12:00:00", "Piet Jansen", "Wat een tijd! De eerste jaren waren het spannendst.", kind="comment", parent="blog:6", thread="blog:6"),
    _post("blog:8", "ambtenaar20-blog", "2019-12-31T20:00:00", "Zoë Bakker", "Laatste blog van het decennium: bedankt voor het lezen!", title="Oudejaarsavond"),
    _post("x:1001", "x-rijk", "2015-02-03T09:15:00", "Jeroen de Vries", "Vandaag #Ambtenaar20 meetup in Den Haag met @zoebakker over open data", hashtags=("Ambtenaar20", "opendata"), mentions=("zoebakker",)),
    _post("x:1002", "x-rijk", "2015-02-03T09:20:00", "Zoë Bakker", "@jdevries Ik ben erbij! Neem koffie mee ☕", kind="reply", parent="x:1001", thread="x:1001", mentions=("jdevries",)),
    _post("x:1003", "x-rijk", "2015-02-04T07:00:00", "Özlem Yılmaz", "RT @jdevries: Vandaag #ambtenaar20 meetup in Den Haag", kind="repost", hashtags=("ambtenaar20",), mentions=("jdevries",)),
    _post("x:1004", "x-rijk", "2019-09-09T14:00:00", "Jeroen de Vries", "Nieuwe regels voor digitale archivering van overheidsberichten #archief", hashtags=("archief",)),
    _post("x:1005", "x-rijk", "2023-01-15T16:00:00", "Jeroen de Vries", "Het café bij het ministerie heeft eindelijk goede koffie"),
    _post("x:1006", "x-rijk", "2018-05-25T08:00:00", "Özlem Yılmaz", "AVG gaat vandaag in. Ambtenaren, let op persoonsgegevens! #AVG #privacy", hashtags=("AVG", "privacy")),
    _post("x:1007", "x-rijk", "2018-05-25T09:00:00", "Jeroen de Vries", "@ozlem Goed punt, ook in archieven.", kind="reply", parent="x:1006", thread="x:1006", mentions=("ozlem",)),
    _post("x:1008", "x-rijk", "2020-03-16T10:00:00", "Zoë Bakker", "Iedereen werkt thuis. Thuiswerken als ambtenaar: tips?", hashtags=("thuiswerken",)),
    _post("x:1009", "x-rijk", "2020-03-17T10:00:00", "Piet Jansen", "Videobellen met het hele team #thuiswerken", hashtags=("Thuiswerken",)),
    _post("x:1010", "x-rijk", "2021-01-01T00:30:00+01:00", "Jeroen de Vries", "Gelukkig nieuwjaar aan alle collega's! #nieuwjaar", hashtags=("nieuwjaar",)),
    _post("x:1011", "x-rijk", "2022-04-22T12:00:00", "Jeroen de Vries", "Civil servants on social media: a short English note.", lang="en"),
    _post("mastodon:2001", "social-overheid", "2022-11-05T10:00:00", "Özlem Yılmaz", "Welkom op onze eigen Mastodon-server! #fediverse #overheid", hashtags=("fediverse", "overheid")),
    _post("mastodon:2002", "social-overheid", "2022-11-05T11:00:00", "Piet Jansen", "Eindelijk een plek zonder advertenties. Goed werk, collega's!", kind="reply", parent="mastodon:2001", thread="mastodon:2001"),
    _post("mastodon:2003", "social-overheid", "2022-11-06T09:00:00", "Anaïs de Wit", "Zijn er al richtlijnen voor ambtenaren op Mastodon?", kind="reply", parent="mastodon:2002", thread="mastodon:2001"),
    _post("mastodon:2004", "social-overheid", "2023-03-01T09:00:00", "Piet Jansen", "Boost: de richtlijnen voor sociale media zijn vernieuwd #overheid", kind="repost", hashtags=("overheid",)),
    _post("mastodon:2005", "social-overheid", "2024-02-29T09:00:00", "Zoë Bakker", "Schrikkeldag! Vandaag werken alle ambtenaren een dag extra."),
    _post("mastodon:2006", "social-overheid", "2023-06-12T15:00:00", "Özlem Yılmaz", "Ons archief bewaart nu ook Mastodon-berichten. #archief", hashtags=("archief",)),
    _post("mastodon:2007", "social-overheid", None, "Piet Jansen", "Een bericht waarvan de datum onbekend is."),
    _post("network:3001", "ambtenaar20-netwerk", "2009-04-02T09:00:00", "Davied van Berlo", "Wat vinden jullie: mag je als ambtenaar openlijk twitteren over je werk?", title="Discussie: mag een ambtenaar twitteren?"),
    _post("network:3002", "ambtenaar20-netwerk", "2009-04-02T12:00:00", "Piet Jansen", "Ja, zolang je de regels voor integriteit kent.", kind="comment", parent="network:3001", thread="network:3001"),
    _post("network:3003", "ambtenaar20-netwerk", "2009-04-03T12:00:00", "Zoë Bakker", "Twitteren hoort bij modern werken.", kind="comment", parent="network:3001", thread="network:3001"),
    _post("network:3004", "ambtenaar20-netwerk", "2009-04-05T12:00:00", "Jeroen de Vries", "Eens, maar denk aan de archiefwet.", kind="reply", parent="network:3003", thread="network:3001"),
    _post("network:3005", "ambtenaar20-netwerk", "2011-08-17T12:00:00", "Davied van Berlo", "Honderd ambtenaren kwamen samen in Utrecht voor de netwerkdag.", title="Verslag van de netwerkdag"),
    _post("network:3006", "ambtenaar20-netwerk", "2016-10-10T12:00:00", "Anaïs de Wit", "Nieuwe groep voor iedereen die met archivering en informatiebeheer werkt.", title="Pleio-groep voor informatiebeheer"),
    _post("network:3007", "ambtenaar20-netwerk", "2016-10-11T12:00:00", "Davied van Berlo", "Goed initiatief! Ik meld me aan.", kind="comment", parent="network:3006", thread="network:3006"),
    _post("wiki:handboek", "pbworks-wiki", "2010-01-10T12:00:00", "Davied van Berlo", "Dit handboek beschrijft hoe ambtenaren sociale media gebruiken. Zie ook de pagina over open overheid.", title="Handboek Ambtenaar 2.0", kind="page"),
    _post("wiki:open-overheid", "pbworks-wiki", "2010-02-14T12:00:00", "Anaïs de Wit", "Open overheid betekent transparantie, participatie en samenwerking.", title="Open overheid", kind="page"),
    _post("wiki:archiefwet", "pbworks-wiki", "2013-05-05T12:00:00", "Jeroen de Vries", "Ook berichten op sociale media kunnen archiefbescheiden zijn volgens de Archiefwet.", title="Archiefwet en sociale media", kind="page"),
    _post("wiki:thuiswerken", "pbworks-wiki", "2020-04-01T12:00:00", "Zoë Bakker", "Tips voor thuiswerkende collega's: videobellen, pauzes en een goede stoel.", title="Thuiswerken", kind="page"),
    _post("wiki:zonder-datum", "pbworks-wiki", None, "Anaïs de Wit", "Deze wikipagina heeft geen publicatiedatum.", title="Pagina zonder datum", kind="page"),
    _post("web:nieuws-1", "rijksoverheid-web", "2016-07-01T12:00:00", "Özlem Yılmaz", "Het kabinet trekt extra geld uit voor de digitale overheid en e-mail archivering.", title="Kabinet investeert in digitale overheid", kind="page"),
    _post("web:nieuws-2", "rijksoverheid-web", "2021-09-30T12:00:00", "Özlem Yılmaz", "De richtlijn sociale media voor ambtenaren is vernieuwd.", title="Nieuwe richtlijn sociale media", kind="page"),
    _post("web:hostile", "rijksoverheid-web", "2017-01-01T12:00:00", "Piet Jansen", "<script>alert(\"ambtenaar\")</script> Deze tekst bevat <b>HTML</b> & tekens die ontsnapt moeten worden.", title="<script>alert('xss')</script> Onveilige pagina", kind="page"),
]

BY_ID: dict[str, Post] = {post.id: post for post in CORPUS}
