"""Formatting shared by the HTML sites: escaping, Dutch and English date styles as the real
platforms print them, link resolution between the demo sites, and small generated PNG images."""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def esc(text: str) -> str:
    """Escape for HTML text and attribute values."""
    return escape(text, quote=True)


def local(when: datetime) -> datetime:
    return when.astimezone(AMSTERDAM)


def dutch_date(when: datetime) -> str:
    """'20 februari 2014', as WordPress with nl_NL prints it."""
    t = local(when)
    return f"{t.day} {MONTHS_NL[t.month - 1]} {t.year}"


def ning_date(when: datetime) -> str:
    """'20 Februari 2014 op 15.16', as the Dutch Ning translation printed comment times."""
    t = local(when)
    return f"{t.day} {MONTHS_NL[t.month - 1].capitalize()} {t.year} op {t:%H.%M}"


def pbworks_date(when: datetime) -> str:
    """'6:28 pm on Jul 15, 2009', as PBworks prints comment times."""
    t = local(when)
    hour = t.hour % 12 or 12
    return f"{hour}:{t:%M} {'am' if t.hour < 12 else 'pm'} on {t:%b} {t.day}, {t.year}"


def ago(then: datetime, now: datetime) -> str:
    """'12 years, 6 months ago', the relative style PBworks uses for the last edit."""
    months = (now.year - then.year) * 12 + now.month - then.month - (now.day < then.day)
    years, months = divmod(max(months, 0), 12)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((years, "year"), (months, "month"))
        if n
    ]
    if not parts:
        days = (now - then).days
        parts = [f"{days} day{'s' if days != 1 else ''}"] if days else ["a moment"]
    return ", ".join(parts) + " ago"


class Links:
    """Base URLs of all demo sites, known once every server is bound; resolves 'site:/path'."""

    def __init__(self) -> None:
        self.bases: dict[str, str] = {}

    def url(self, site: str, path: str = "/") -> str:
        return self.bases[site].rstrip("/") + path

    def resolve(self, target: str) -> str:
        site, sep, path = target.partition(":")
        if sep and site in self.bases and path.startswith("/"):
            return self.url(site, path)
        return target


def png(seed: str, width: int = 64, height: int = 48) -> bytes:
    """A small valid PNG in a colour derived from ``seed``, so every image has its own bytes."""
    r, g, b = hashlib.sha1(seed.encode()).digest()[:3]
    row = b"\x00" + bytes([r, g, b]) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def mp4(seed: str) -> bytes:
    """A short MP4 file (ISO base media: an ``ftyp`` and an ``mdat`` box) whose bytes follow
    ``seed``: a stand-in for a video, with the signature file-format tools recognise."""
    brand = b"ftyp" + b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41"
    data = hashlib.sha256(seed.encode()).digest() * 64
    return (
        (8 + len(brand) - 4).to_bytes(4, "big")
        + brand
        + (8 + len(data)).to_bytes(4, "big")
        + b"mdat"
        + data
    )
