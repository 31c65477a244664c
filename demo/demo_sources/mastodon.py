"""A Mastodon API emulator over the demo dataset, shaped like a Mastodon 4.x instance's public
API: account lookup, account statuses, hashtag timelines, status and thread context, instance.

Paging is Mastodon's: ``max_id``/``since_id``/``min_id``/``limit`` (default 20, at most 40) and a
``Link`` header with ``rel="next"`` (``max_id`` of the oldest status on the page) and
``rel="prev"`` (``min_id`` of the newest), keeping the other paging parameters, on every
non-empty page. Status JSON (HTML content with hashtag and mention links, reblogs, replies,
``edited_at``, tags, mentions, media) follows the recorded Mastodon.py cassettes; fields only an
authenticated viewer gets (favourited, bookmarked, ...) are left out as for anonymous calls.
``exclude_replies`` keeps replies to oneself (threads), as Mastodon does.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from demo_sources.dataset import Dataset, Media, Person, Toot, utcnow
from demo_sources.httpbase import (
    Handler,
    Request,
    Response,
    conditional,
    json_response,
    route,
)
from demo_sources.markup import Links, esc, png
from demo_sources.social import mastodon_snowflake

VERSION = "4.2.10"
PAGING = ("max_id", "since_id", "min_id")
BLURHASH = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"


def iso_ms(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class MastodonApp:
    server_header = "Mastodon"

    def __init__(self, data: Dataset, links: Links) -> None:
        self.data = data
        self.links = links
        self.access_token: str | None = None
        self._used = 0
        self.status_faults: dict[str, list[int]] = {}
        n = r"(?P<id>\d+)"
        self.routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(r"/api/v1/instance/?"), self.instance),
            (re.compile(r"/api/v1/accounts/lookup"), self.lookup),
            (re.compile(rf"/api/v1/accounts/{n}"), self.account_by_id),
            (re.compile(rf"/api/v1/accounts/{n}/statuses"), self.account_statuses),
            (re.compile(r"/api/v1/timelines/tag/(?P<tag>\w+)"), self.tag_timeline),
            (re.compile(rf"/api/v1/statuses/{n}"), self.status),
            (re.compile(rf"/api/v1/statuses/{n}/context"), self.context),
            (re.compile(rf"/api/v1/statuses/{n}/history"), self.history),
        ]

    def require_token(self, token: str | None) -> None:
        """Demand ``Authorization: Bearer <token>`` (None: public API without a token)."""
        self.access_token = token

    # --- serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/system/") and request.path.endswith(".png"):
            return Response(200, png(request.path), "image/png")
        if request.method not in ("GET", "HEAD"):
            return json_response({"error": "This action is not allowed"}, 405)
        if self.access_token and request.header("Authorization") != f"Bearer {self.access_token}":
            return json_response(
                {"error": "The access token is invalid"},
                401,
                [("WWW-Authenticate", 'Bearer realm="Doorkeeper", error="invalid_token"')],
            )
        with self.data.lock:
            response = route(self.routes, request) or json_response({"error": "Not Found"}, 404)
            if response.status == 200:
                response.headers += [
                    ("Cache-Control", "private, no-store"),
                    ("Vary", "Authorization, Origin"),
                ]
                response = conditional(request, response, self.data.changed_at["mastodon"])
        self._used += 1
        reset = utcnow().replace(second=0) + timedelta(minutes=5 - utcnow().minute % 5)
        response.headers += [
            ("X-RateLimit-Limit", "300"),
            ("X-RateLimit-Remaining", str(max(300 - self._used % 300, 0))),
            ("X-RateLimit-Reset", iso_ms(reset)),
        ]
        return response

    def base(self) -> str:
        return self.links.url("mastodon", "")

    # --- rendering ---------------------------------------------------------------------------

    def account(self, person: Person) -> dict[str, Any]:
        own = [t for t in self.data.toots.values() if t.author == person.key and not t.deleted]
        last = max((t.created_at for t in own), default=None)
        url = f"{self.base()}/@{person.mastodon}"
        avatar = f"{self.base()}/system/accounts/avatars/{person.mastodon_id}/original/avatar.png"
        return {
            "id": person.mastodon_id,
            "username": person.mastodon,
            "acct": person.mastodon,
            "display_name": person.name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            "created_at": "2022-11-01T00:00:00.000Z",
            "note": f"<p>{esc(person.role)} bij {esc(person.organisation)}. {esc(person.bio)}</p>",
            "url": url,
            "uri": f"{self.base()}/users/{person.mastodon}",
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"{self.base()}/headers/original/missing.png",
            "header_static": f"{self.base()}/headers/original/missing.png",
            "followers_count": 100 + len(person.name) * 13,
            "following_count": 80 + len(person.key) * 7,
            "statuses_count": len(own),
            "last_status_at": f"{last:%Y-%m-%d}" if last else None,
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [
                {"name": "Organisatie", "value": esc(person.organisation), "verified_at": None}
            ],
        }

    def content(self, toot: Toot) -> str:
        """Mastodon's HTML for a status text: escaped, with hashtag, mention and link markup."""
        targets = {token: self.links.resolve(target) for token, target in toot.links}
        pattern = re.compile(r"(?<!\w)#(\w+)|(?<!\w)@(\w+)|(https?://\S+|\[link:\d+\])")
        out, pos = [], 0
        for m in pattern.finditer(toot.text):
            out.append(esc(toot.text[pos : m.start()]))
            pos = m.end()
            if m.group(1):
                out.append(
                    f'<a href="{self.base()}/tags/{m.group(1).lower()}" class="mention hashtag" rel="tag">#<span>{esc(m.group(1))}</span></a>'
                )
            elif m.group(2) and self.data.person_by_mastodon(m.group(2)):
                out.append(
                    f'<span class="h-card" translate="no"><a href="{self.base()}/@{m.group(2)}" class="u-url mention">@<span>{esc(m.group(2))}</span></a></span>'
                )
            elif m.group(3):
                url = targets.get(m.group(3), m.group(3))
                scheme, _, rest = url.partition("://")
                shown, hidden = (rest[:30], rest[30:]) if len(rest) > 30 else (rest, "")
                out.append(
                    f'<a href="{esc(url)}" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">{scheme}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{esc(shown)}</span><span class="invisible">{esc(hidden)}</span></a>'
                )
            else:
                out.append(esc(m.group(0)))
        out.append(esc(toot.text[pos:]))
        return f"<p>{''.join(out)}</p>"

    def status_json(self, toot: Toot) -> dict[str, Any]:
        person = self.data.person(toot.author)
        original = self.data.toots.get(toot.reblog_of or "")
        parent = self.data.toots.get(toot.in_reply_to_id or "")
        visible = [t for t in self.data.toots.values() if not t.deleted]
        tags = sorted({m.lower() for m in re.findall(r"(?<!\w)#(\w+)", toot.text)})
        mentioned = [
            p
            for name in re.findall(r"(?<!\w)@(\w+)", toot.text)
            if (p := self.data.person_by_mastodon(name))
        ]
        if original:
            uri, url = (
                f"{self.base()}/users/{person.mastodon}/statuses/{toot.id}/activity",
                f"{self.base()}/users/{person.mastodon}/statuses/{toot.id}/activity",
            )
        else:
            uri, url = (
                f"{self.base()}/users/{person.mastodon}/statuses/{toot.id}",
                f"{self.base()}/@{person.mastodon}/{toot.id}",
            )
        return {
            "id": toot.id,
            "created_at": iso_ms(toot.created_at),
            "in_reply_to_id": toot.in_reply_to_id,
            "in_reply_to_account_id": self.data.person(parent.author).mastodon_id
            if parent
            else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": None if original else toot.language,
            "uri": uri,
            "url": url,
            "replies_count": sum(1 for t in visible if t.in_reply_to_id == toot.id),
            "reblogs_count": sum(1 for t in visible if t.reblog_of == toot.id),
            "favourites_count": int(toot.id) % 17,
            "edited_at": iso_ms(toot.edited_at) if toot.edited_at else None,
            "content": "" if original else self.content(toot),
            "reblog": self.status_json(original) if original else None,
            "application": None if original else {"name": "Web", "website": None},
            "account": self.account(person),
            "media_attachments": [self.media(m) for m in toot.media],
            "mentions": [
                {
                    "id": p.mastodon_id,
                    "username": p.mastodon,
                    "url": f"{self.base()}/@{p.mastodon}",
                    "acct": p.mastodon,
                }
                for p in mentioned
            ],
            "tags": [{"name": t, "url": f"{self.base()}/tags/{t}"} for t in tags],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def media(self, media: Media) -> dict[str, Any]:
        folder = "/".join(re.findall(r"\d{1,3}", media.key.zfill(18))[:6])
        size = {
            "width": media.width,
            "height": media.height,
            "size": f"{media.width}x{media.height}",
            "aspect": round(media.width / media.height, 6),
        }
        return {
            "id": media.key,
            "type": "image",
            "url": f"{self.base()}/system/media_attachments/files/{folder}/original/{media.filename}",
            "preview_url": f"{self.base()}/system/media_attachments/files/{folder}/small/{media.filename}",
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {
                "original": size,
                "small": {"width": 400, "height": 225, "size": "400x225", "aspect": size["aspect"]},
            },
            "description": media.alt,
            "blurhash": BLURHASH,
        }

    # --- endpoints ---------------------------------------------------------------------------

    def instance(self, request: Request) -> Response:
        host = self.base().split("://", 1)[1]
        people = [p for p in self.data.people.values() if p.mastodon]
        body = {
            "uri": host,
            "title": "Mastodon van de demo-overheid",
            "short_description": "De Mastodon-server van de rijksoverheid, nagebootst voor archiveren.",
            "description": "Ambtenaren delen hier hun werk in het openbaar.",
            "email": "beheer@social.example",
            "version": VERSION,
            "urls": {"streaming_api": f"ws://{host}"},
            "stats": {
                "user_count": len(people),
                "status_count": len(self.data.visible_toots()),
                "domain_count": 1,
            },
            "thumbnail": f"{self.base()}/packs/media/images/preview.png",
            "languages": ["nl"],
            "registrations": False,
            "approval_required": True,
            "invites_enabled": False,
            "configuration": {
                "statuses": {
                    "max_characters": 500,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                }
            },
            "contact_account": self.account(people[0]) if people else None,
            "rules": [{"id": "1", "text": "Wees respectvol."}],
        }
        return json_response(body)

    def lookup(self, request: Request) -> Response:
        acct = (request.arg("acct") or "").lstrip("@")
        user, _, host = acct.partition("@")
        person = self.data.person_by_mastodon(user)
        if not person or (host and host != self.base().split("://", 1)[1]):
            return json_response({"error": "Record not found"}, 404)
        return json_response(self.account(person))

    def account_by_id(self, request: Request, id: str) -> Response:
        person = self.data.person_by_mastodon_id(id)
        return (
            json_response(self.account(person))
            if person
            else json_response({"error": "Record not found"}, 404)
        )

    def account_statuses(self, request: Request, id: str) -> Response:
        person = self.data.person_by_mastodon_id(id)
        if not person:
            return json_response({"error": "Record not found"}, 404)
        toots = [t for t in self.data.visible_toots() if t.author == person.key]
        if _flag(request, "exclude_replies"):
            toots = [
                t
                for t in toots
                if not t.in_reply_to_id or self.data.toots[t.in_reply_to_id].author == person.key
            ]
        if _flag(request, "exclude_reblogs"):
            toots = [t for t in toots if not t.reblog_of]
        if _flag(request, "only_media"):
            toots = [t for t in toots if t.media]
        keep = ("limit", "only_media", "exclude_replies", "exclude_reblogs", "pinned", "tagged")
        return self.paged(request, toots, keep)

    def tag_timeline(self, request: Request, tag: str) -> Response:
        wanted = tag.lower()
        toots = [
            t
            for t in self.data.visible_toots()
            if not t.reblog_of
            and wanted in {m.lower() for m in re.findall(r"(?<!\w)#(\w+)", t.text)}
        ]
        if _flag(request, "only_media"):
            toots = [t for t in toots if t.media]
        return self.paged(request, toots, ("limit", "local", "remote", "only_media"))

    def fail_status(self, status_id: str, *codes: int) -> None:
        """Answer the next requests for this status with ``codes`` (503, 429...), in order."""
        with self.data.lock:
            self.status_faults.setdefault(status_id, []).extend(codes)

    def status(self, request: Request, id: str) -> Response:
        with self.data.lock:
            faults = self.status_faults.get(id)
            code = faults.pop(0) if faults else None
        if code is not None:
            response = json_response({"error": "Temporarily unavailable"}, code)
            if code == 429:
                response.headers.append(("Retry-After", "0"))
            return response
        found = self.data.toots.get(id)
        if not found or found.deleted:
            return json_response({"error": "Record not found"}, 404)
        return json_response(self.status_json(found))

    def history(self, request: Request, id: str) -> Response:
        """The status's edit history as Mastodon 3.5+ gives it: every version, oldest first,
        the current one last (a status never edited has one entry)."""
        toot = self.data.toots.get(id)
        if not toot or toot.deleted:
            return json_response({"error": "Record not found"}, 404)
        versions = [*toot.earlier, (toot.edited_at or toot.created_at, toot.text)]
        account = self.account(self.data.person(toot.author))
        return json_response(
            [
                {
                    "content": self.content(replace(toot, text=text)),
                    "spoiler_text": "",
                    "sensitive": False,
                    "created_at": iso_ms(when),
                    "account": account,
                    "poll": None,
                    "media_attachments": [self.media(m) for m in toot.media],
                    "emojis": [],
                }
                for when, text in versions
            ]
        )

    def context(self, request: Request, id: str) -> Response:
        toot = self.data.toots.get(id)
        if not toot or toot.deleted:
            return json_response({"error": "Record not found"}, 404)
        ancestors: list[Toot] = []
        parent = self.data.toots.get(toot.in_reply_to_id or "")
        while parent and not parent.deleted:
            ancestors.insert(0, parent)
            parent = self.data.toots.get(parent.in_reply_to_id or "")
        descendants: list[Toot] = []

        def walk(of: str) -> None:
            for child in sorted(
                (t for t in self.data.toots.values() if t.in_reply_to_id == of and not t.deleted),
                key=lambda t: int(t.id),
            ):
                descendants.append(child)
                walk(child.id)

        walk(toot.id)
        return json_response(
            {
                "ancestors": [self.status_json(t) for t in ancestors],
                "descendants": [self.status_json(t) for t in descendants],
            }
        )

    def paged(self, request: Request, toots: list[Toot], keep: tuple[str, ...]) -> Response:
        """A page of ``toots`` (newest first) after max_id/since_id/min_id, with Link header."""
        limit = min(
            max(
                int(request.arg("limit") or 20) if (request.arg("limit") or "20").isdigit() else 20,
                1,
            ),
            40,
        )
        max_id, since_id, min_id = (int(request.arg(p) or 0) or None for p in PAGING)
        if max_id:
            toots = [t for t in toots if int(t.id) < max_id]
        if since_id:
            toots = [t for t in toots if int(t.id) > since_id]
        if min_id:
            toots = [t for t in toots if int(t.id) > min_id][-limit:]
        page = toots[:limit]
        headers: list[tuple[str, str]] = []
        if page:
            kept = [(k, v) for k, values in request.query.items() if k in keep for v in values]
            base = self.base() + request.path + "?"
            next_url = base + urlencode(kept + [("max_id", page[-1].id)])
            prev_url = base + urlencode(kept + [("min_id", page[0].id)])
            headers.append(("Link", f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'))
        return json_response([self.status_json(t) for t in page], headers=headers)

    # --- mutations ---------------------------------------------------------------------------

    def add_status(
        self,
        author: str,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        when: datetime | None = None,
    ) -> Toot:
        with self.data.lock:
            created = when or utcnow()
            toot = Toot(
                mastodon_snowflake(created, len(self.data.toots) + 1),
                author,
                created,
                text,
                in_reply_to_id=in_reply_to_id,
            )
            self.data.toots[toot.id] = toot
            self.data.touch("mastodon")
            return toot

    def reblog(self, author: str, status_id: str) -> Toot:
        with self.data.lock:
            toot = self.add_status(author, "")
            toot.reblog_of = status_id
            return toot

    def edit_status(self, status_id: str, text: str) -> Toot:
        with self.data.lock:
            toot = self.data.toots[status_id]
            toot.earlier.append((toot.edited_at or toot.created_at, toot.text))
            toot.text = text
            toot.edited_at = max(
                utcnow(), (toot.edited_at or toot.created_at) + timedelta(seconds=1)
            )
            self.data.touch("mastodon")
            return toot

    def delete_status(self, status_id: str) -> Toot:
        with self.data.lock:
            toot = self.data.toots[status_id]
            toot.deleted = True
            self.data.touch("mastodon")
            return toot


def _flag(request: Request, name: str) -> bool:
    return (request.arg(name) or "").lower() in ("1", "true")
