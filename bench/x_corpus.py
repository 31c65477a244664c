"""A deterministic synthetic X collection for the pipeline benchmark: WARC files of X API v2
timeline pages (100 tweets each, shaped as the real API returns them with the collector's
expansions: entities with code-point offsets, edit history, conversation ids, replies and
retweets with ``referenced_tweets``, ``includes.users`` and ``meta``), written through
``archive.WarcWriter`` with the metadata the X collector gives its pages. The same seed and size
give the same tweets; the words come from the search benchmark's Dutch vocabulary.

    python -m bench.x_corpus --tweets 100000 --out bench/out/corpus/x-100000
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive import CaptureMetadata, HttpExchange, WarcWriter
from bench.synthetic_posts import SyntheticCorpus

PAGE_SIZE = 100
TWITTER_EPOCH_MS = 1288834974657
START = datetime(2012, 1, 1, tzinfo=UTC)
API = "https://api.x.com/2"
MANIFEST = "corpus.json"


def snowflake(when: datetime, sequence: int) -> str:
    millis = int(when.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str((millis << 22) | (sequence & 0x3FFFFF))


class XPages:
    """API v2 timeline pages of synthetic accounts; page n depends only on the seed and n's
    predecessors."""

    def __init__(self, seed: int = 20240501) -> None:
        self.corpus = SyntheticCorpus(seed)
        self.rng = self.corpus.rng
        self.users = [
            {
                "id": str(10_000_000 + n),
                "name": name.rsplit(" ", 1)[0],
                "username": name.lower().replace(" ", "_")[:15],
                "created_at": "2010-03-01T09:00:00.000Z",
                "description": self.corpus.words(5, 15),
                "verified": False,
            }
            for n, name in enumerate(self.corpus.authors[:400])
        ]
        self.recent: list[dict[str, Any]] = []
        self.clock = START
        self.sequence = 0

    def text_and_entities(self, mention: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        text = f"@{mention['username']} " if mention else ""
        entities: dict[str, Any] = {}
        if mention:
            entities["mentions"] = [
                {
                    "start": 0,
                    "end": len(text) - 1,
                    "username": mention["username"],
                    "id": mention["id"],
                }
            ]
        text += self.corpus.words(6, 38).capitalize()
        tags = sorted(set(rng.choices(self.corpus.hashtags, k=rng.choice((0, 1, 1, 2, 3)))))
        for tag in tags:
            text += " "
            entities.setdefault("hashtags", []).append(
                {"start": len(text), "end": len(text) + len(tag) + 1, "tag": tag}
            )
            text += f"#{tag}"
        if rng.random() < 0.3:
            short = f"https://t.co/{rng.getrandbits(40):010x}"
            text += " "
            expanded = f"https://www.rijksoverheid.nl/actueel/nieuws/{rng.randint(1, 99999)}"
            entities["urls"] = [
                {
                    "start": len(text),
                    "end": len(text) + len(short),
                    "url": short,
                    "expanded_url": expanded,
                    "display_url": expanded.removeprefix("https://")[:26] + "…",
                }
            ]
            text += short
        return text.replace("&", "&amp;"), entities

    def tweet(self, author: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        self.clock += timedelta(seconds=rng.randint(5, 900))
        self.sequence += 1
        tweet_id = snowflake(self.clock, self.sequence)
        roll = rng.random()
        parent = rng.choice(self.recent) if self.recent and roll < 0.35 else None
        if parent is not None and roll < 0.08:
            original_author = next(u for u in self.users if u["id"] == parent["author_id"])
            text = f"RT @{original_author['username']}: {parent['text']}"[:280]
            entities: dict[str, Any] = {}
            references = [{"type": "retweeted", "id": parent["id"]}]
        else:
            mention = None
            if parent is not None:
                mention = next(u for u in self.users if u["id"] == parent["author_id"])
            text, entities = self.text_and_entities(mention)
            references = [{"type": "replied_to", "id": parent["id"]}] if parent else []
        tweet: dict[str, Any] = {
            "author_id": author["id"],
            "conversation_id": parent["conversation_id"] if parent else tweet_id,
            "created_at": self.clock.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "edit_controls": {
                "edits_remaining": 5,
                "editable_until": (self.clock + timedelta(minutes=30)).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                ),
                "is_edit_eligible": not references,
            },
            "edit_history_tweet_ids": [tweet_id],
            "id": tweet_id,
            "lang": "nl",
            "possibly_sensitive": False,
            "public_metrics": {
                "bookmark_count": rng.randint(0, 3),
                "impression_count": rng.randint(10, 5000),
                "like_count": rng.randint(0, 80),
                "quote_count": rng.randint(0, 2),
                "reply_count": rng.randint(0, 12),
                "retweet_count": rng.randint(0, 20),
            },
            "reply_settings": "everyone",
            "text": text,
        }
        if entities:
            tweet["entities"] = entities
        if references:
            tweet["referenced_tweets"] = references
            if references[0]["type"] == "replied_to":
                tweet["in_reply_to_user_id"] = parent["author_id"]  # type: ignore[index]
        self.recent.append(tweet)
        del self.recent[:-200]
        return tweet

    def page(self, number: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(request URL, page JSON, the collector's page context) of timeline page ``number``."""
        author = self.users[number % len(self.users)]
        tweets = [self.tweet(author) for _ in range(PAGE_SIZE)]
        tweets.reverse()  # newest first, as the API pages
        referenced = {r["id"] for t in tweets for r in t.get("referenced_tweets", [])}
        users = {author["id"]: author}
        for tweet in tweets:
            if "in_reply_to_user_id" in tweet:
                user_id = tweet["in_reply_to_user_id"]
                users[user_id] = next(u for u in self.users if u["id"] == user_id)
        page = {
            "data": tweets,
            "includes": {
                "users": list(users.values()),
                "tweets": [t for t in self.recent if t["id"] in referenced],
            },
            "meta": {
                "newest_id": tweets[0]["id"],
                "oldest_id": tweets[-1]["id"],
                "result_count": len(tweets),
                "next_token": f"7140dibdnow9c7btw{number:08d}",
            },
        }
        url = (
            f"{API}/users/{author['id']}/tweets?max_results={PAGE_SIZE}"
            "&expansions=author_id,referenced_tweets.id,in_reply_to_user_id"
            "&tweet.fields=id,text,author_id,conversation_id,created_at,entities,lang"
        )
        context = {
            "endpoint": "user_tweets",
            "account": author["username"],
            "user_id": author["id"],
            "user_name": author["name"],
        }
        return url, page, context


def write_corpus(directory: Path, tweets: int, seed: int = 20240501) -> dict[str, Any]:
    """Write ``tweets`` tweets as API pages into ``directory/warcs`` (reused when a finished
    corpus of the same size and seed is there); returns its manifest."""
    manifest_path = directory / MANIFEST
    if manifest_path.exists():
        manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        if manifest.get("tweets") == tweets and manifest.get("seed") == seed:
            return manifest
    warcs = directory / "warcs"
    if warcs.exists():
        for stale in warcs.iterdir():
            stale.unlink()
    pages = XPages(seed)
    payload = 0
    started = time.perf_counter()
    with WarcWriter(warcs, prefix="bench-x", rollover_bytes=100_000_000, dedup=False) as writer:
        for number in range(-(-tweets // PAGE_SIZE)):
            url, page, context = pages.page(number)
            body = json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode()
            payload += len(body)
            writer.write_exchange(
                HttpExchange(
                    url=url,
                    request_headers=[("Host", "api.x.com"), ("Authorization", "Bearer <redacted>")],
                    status=200,
                    reason="OK",
                    response_headers=[
                        ("Content-Type", "application/json; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                        ("x-rate-limit-limit", "1500"),
                        ("x-rate-limit-remaining", "1499"),
                    ],
                    body=body,
                ),
                CaptureMetadata(
                    source="x-bench",
                    platform="x",
                    collector="x",
                    collector_version="bench",
                    capture_kind="api_page",
                    extra=context,
                ),
            )
    files = sorted(warcs.glob("*.warc.gz"))
    manifest = {
        "tweets": tweets,
        "seed": seed,
        "pages": -(-tweets // PAGE_SIZE),
        "payload_mb": round(payload / 1e6, 1),
        "warc_files": len(files),
        "warc_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "write_seconds": round(time.perf_counter() - started, 2),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus/x-10000"))
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args(argv)
    print(json.dumps(write_corpus(args.out, args.tweets, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
