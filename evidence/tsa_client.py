"""Asks one RFC 3161 time-stamping authority to sign a SHA-256 digest: a ``TimeStampReq``
(version 1, SHA-256 message imprint, a random nonce, certReq true; built with asn1crypto) is
POSTed as ``application/timestamp-query`` over HTTP(S), and the answer, a ``TimeStampResp``, is
parsed with rfc3161-client and checked to be granted and to echo the digest and the nonce. Its
signature and chain are checked by ``token_check`` before anything is kept."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import httpx
from asn1crypto import tsp
from rfc3161_client import PKIStatus

from evidence.token_check import decode
from foundation.errors import EvidenceError

QUERY_TYPE = "application/timestamp-query"
MAX_REPLY_BYTES = 1024 * 1024


def authority_name(url: str) -> str:
    """The URL without any user name or password in it: what logs, sidecars and messages show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def timestamp_query(digest: bytes, nonce: int) -> bytes:
    """The DER of a TimeStampReq for a SHA-256 ``digest``."""
    return bytes(
        tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": digest,
                },
                "nonce": nonce,
                "cert_req": True,
            }
        ).dump()
    )


def request_token(url: str, digest: bytes, timeout: float) -> bytes:
    """The authority's TimeStampResp (DER) for ``digest``; EvidenceError saying why not."""
    nonce = secrets.randbits(63)
    name = authority_name(url)
    try:
        reply = httpx.post(
            url,
            content=timestamp_query(digest, nonce),
            headers={"Content-Type": QUERY_TYPE},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise EvidenceError(f"{name} did not answer: {exc.__class__.__name__}") from None
    if reply.status_code != 200:
        raise EvidenceError(f"{name} answered HTTP {reply.status_code}")
    body = reply.content
    if not body or len(body) > MAX_REPLY_BYTES:
        raise EvidenceError(f"{name} sent {len(body)} bytes, not a timestamp response")
    response = decode(body, f"the answer of {name}")
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        reason = "; ".join(response.status_string) or "no reason given"
        raise EvidenceError(f"{name} refused the request (status {response.status}: {reason})")
    info = response.tst_info
    if info.message_imprint.message != digest:
        raise EvidenceError(f"{name} signed another digest than the one it was sent")
    if info.nonce != nonce:
        raise EvidenceError(f"{name} answered with another nonce than the request's (a replay?)")
    return body
