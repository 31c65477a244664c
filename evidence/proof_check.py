"""Verifies a record proof (``proof``) with nothing but the file and, preferably, the CA
certificates the reader trusts: the record's bytes lead through the inclusion path to the root,
every timestamp token verifies under the CA and signs that root. Any changed byte of the record,
the path, the root or a token fails with an EvidenceError naming the proof file and what did
not hold."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from archive.merkle import leaf_hash, root_from_path
from evidence.proof import FORMAT, VERSION
from evidence.token_check import check_token, load_cas
from foundation.errors import EvidenceError


@dataclass
class ProofResult:
    lines: list[str] = field(default_factory=list)
    """What the proof shows, one fact a line."""
    warnings: list[str] = field(default_factory=list)


def verify_proof(path: Path, ca_files: list[Path] | None = None) -> ProofResult:
    path = Path(path)
    proof = _load(path)
    result = ProofResult()
    try:
        record, tree = proof["record"], proof["tree"]
        data = base64.b64decode(record["bytes_base64"], validate=True)
        length, index, size = int(record["length"]), int(tree["leaf_index"]), int(tree["tree_size"])
        nodes = [bytes.fromhex(node) for node in tree["inclusion_path"]]
        root = bytes.fromhex(tree["root_sha256"])
        tokens = [base64.b64decode(t["token_base64"], validate=True) for t in proof["timestamps"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise EvidenceError(
            f"{path}: not a readable record proof ({exc.__class__.__name__}: {exc})"
        ) from None
    if len(data) != length:
        raise EvidenceError(
            f"{path}: the record has {len(data)} bytes but the proof says {length}; it was changed"
        )
    if root_from_path(leaf_hash(data), index, size, nodes) != root:
        raise EvidenceError(
            f"{path}: the record and its inclusion path do not lead to the root "
            f"{root.hex()}; the record, the path or the root was changed"
        )
    _check_record_id(path, data, str(record.get("record_id", "")))
    if not tokens:
        raise EvidenceError(f"{path}: the proof carries no timestamp token")
    cas = _trusted(path, proof, ca_files, result)
    for number, der in enumerate(tokens, start=1):
        facts = check_token(der, root, cas, f"{path}: timestamp {number}")
        result.lines.append(f"timestamp {number}: {facts.time.isoformat()} by {facts.authority}")
    result.lines[:0] = [
        f"record {record.get('record_id', '')} ({record.get('target_uri', '')}, captured "
        f"{record.get('capture_date', '')})",
        f"in {record.get('warc_file', '')} at offset {record.get('offset')}, {length} bytes, "
        f"leaf {index} of {size}; root {root.hex()}",
    ]
    return result


def _load(path: Path) -> dict[str, Any]:
    try:
        proof = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise EvidenceError(f"cannot read the proof {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise EvidenceError(f"{path}: not a record proof (not JSON: {exc})") from None
    if not isinstance(proof, dict) or proof.get("format") != FORMAT:
        raise EvidenceError(f"{path}: not an archiveren record proof (no format {FORMAT!r})")
    if proof.get("version") != VERSION:
        raise EvidenceError(
            f"{path}: proof version {proof.get('version')!r}; this archiveren reads {VERSION}"
        )
    return proof


def _check_record_id(path: Path, data: bytes, record_id: str) -> None:
    """The bytes hold a WARC record with the id the proof names (a proof cannot pass one
    record off as another)."""
    try:
        head = (
            zlib.decompressobj(31).decompress(data, 64 * 1024) if data[:2] == b"\x1f\x8b" else data
        )
    except zlib.error:
        head = b""
    if record_id and f"WARC-Record-ID: {record_id}".encode() not in head:
        raise EvidenceError(f"{path}: the record's bytes do not hold record {record_id}")


def _trusted(
    path: Path, proof: dict[str, Any], ca_files: list[Path] | None, result: ProofResult
) -> list[x509.Certificate]:
    if ca_files:
        return load_cas(ca_files)
    anchors = proof.get("trust_anchors_pem") or []
    try:
        cas = [c for pem in anchors for c in x509.load_pem_x509_certificates(pem.encode("ascii"))]
    except (ValueError, AttributeError) as exc:
        raise EvidenceError(f"{path}: its CA certificates are unreadable ({exc})") from None
    if not cas:
        raise EvidenceError(f"{path}: carries no CA certificate; give the one you trust with --ca")
    result.warnings.append(
        "checked against the CA certificate inside the proof; give --ca CA.pem with the "
        "authority's certificate from a source you trust to check who signed"
    )
    return cas
