"""Makes the proof for one record: a small self-contained JSON file holding the record's stored
bytes (base64) with its WARC file name, offset and length, its leaf index and inclusion path in
the file's record tree, the tree's size and root, and the timestamp tokens that sign that root
(with the certificates they carry and the CA certificates the archive trusts). ``proof_check``
verifies it without the archive; README.md ("Bewijs per record") gives the procedure by hand."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from archive.naming import resolve_inside
from archive.record_tree import record_tree
from archive.store import warc_exists
from config.models import EvidenceSettings
from evidence.stamping import ca_paths
from evidence.token_check import check_token, load_cas
from evidence.tokens import tokens_of
from foundation.errors import ArchiverenError, EvidenceError
from foundation.pointer import RecordPointer

FORMAT = "archiveren-record-proof"
VERSION = 1
LEAF_RULE = (
    "leaf = SHA-256(0x00 || the record's stored bytes, i.e. the `length` bytes at `offset` of the "
    "WARC file); node = SHA-256(0x01 || left || right); leaves in file order; RFC 6962 / RFC 9162"
)
PROCEDURE = [
    "1. Decode record.bytes_base64; its length must be record.length.",
    "2. leaf = SHA-256(0x00 || those bytes).",
    "3. Walk tree.inclusion_path with tree.leaf_index and tree.tree_size as RFC 9162 2.1.3.2 "
    "says (hashes in hex); the result must equal tree.root_sha256.",
    "4. Each timestamps[].token_base64 is an RFC 3161 TimeStampResp: `openssl ts -verify "
    "-digest ROOT -in TOKEN.tsr -CAfile CA.pem` must say OK, with ROOT = tree.root_sha256.",
    "5. The time in the token is when the authority saw the root: the record was in the archive "
    "then, byte for byte.",
]


def build_proof(
    archive_dir: Path,
    pointer: RecordPointer,
    settings: EvidenceSettings,
    *,
    post_id: str,
    config_dir: Path | None = None,
) -> dict[str, Any]:
    warc = resolve_inside(Path(archive_dir), pointer.warc_file)
    if not warc_exists(warc):
        still_open = warc.with_name(warc.name + ".open").exists()
        raise EvidenceError(
            f"Post {post_id}: its capture is in {pointer.warc_file}, "
            + (
                "which is still being written; it is timestamped once it closes"
                if still_open
                else f"which is not in {archive_dir}"
            )
        )
    stored = tokens_of(warc)
    if not stored:
        raise EvidenceError(
            f"Post {post_id}: {warc.name} has no timestamp token yet; run `archiveren stamp` "
            "(evidence.tsa_urls must name an authority) and ask again"
        )
    try:
        tree = record_tree(warc)
    except ArchiverenError as exc:
        raise EvidenceError(f"Post {post_id}: {warc.name}: {exc}") from None
    index = tree.index_of(pointer.offset, pointer.length)
    cas = load_cas(ca_paths(settings, config_dir))
    timestamps = []
    for token in stored:
        facts = check_token(token.der, tree.root, cas, f"{token.path.name}")
        timestamps.append(
            {
                "authority_url": str(token.sidecar.get("authority_url", "")),
                "authority": facts.authority,
                "time": facts.time.isoformat(),
                "token_base64": base64.b64encode(token.der).decode("ascii"),
                "certificates_pem": facts.certificates_pem,
            }
        )
    with open(warc, "rb") as handle:
        handle.seek(pointer.offset)
        data = handle.read(pointer.length)
    return {
        "format": FORMAT,
        "version": VERSION,
        "post_id": post_id,
        "record": {
            "warc_file": warc.name,
            "offset": pointer.offset,
            "length": pointer.length,
            "record_id": pointer.record_id,
            "target_uri": pointer.target_uri,
            "capture_date": pointer.capture_date,
            "bytes_base64": base64.b64encode(data).decode("ascii"),
        },
        "tree": {
            "leaf_index": index,
            "tree_size": tree.size,
            "inclusion_path": [node.hex() for node in tree.path(index)],
            "root_sha256": tree.root.hex(),
            "leaf_rule": LEAF_RULE,
        },
        "timestamps": timestamps,
        "trust_anchors_pem": [
            path.read_text("ascii") for path in ca_paths(settings, config_dir) if path.is_file()
        ],
        "procedure": PROCEDURE,
    }


def write_proof(proof: dict[str, Any], out: Path) -> Path:
    """Write the proof to ``out`` (a file, or a directory to put ``bewijs-POST.json`` in),
    through a temporary file, so a reader never sees half a proof."""
    out = Path(out)
    if out.is_dir():
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in str(proof["post_id"]))
        out = out / f"bewijs-{safe}.json"
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(proof, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EvidenceError(f"cannot write the proof to {out}: {exc.strerror or exc}") from None
    return out
