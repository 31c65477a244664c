"""The evidence a bag carries beside its payload, as tag files (so the tag manifests cover them):
``timestamps/`` holds the RFC 3161 tokens of each archive WARC file the exported records were
copied from (``NAME.warc.gz.AUTHORITY.tsr`` and its ``.json``, as kept in the archive) and
``timestamps/records.jsonl``, one line per copied record: where it lies in the WACZ's WARC
(``wacz_offset``, ``length``) and in its archive file, its leaf index and inclusion path in that
file's record tree and the tree's root, the digest the tokens sign. With a signing key the bag
also holds, in ``signature/``, ``signer-public-key.pem`` and, written after the tag manifests, a
detached signature of ``tagmanifest-sha512.txt``: ``tagmanifest-sha512.txt.sig`` (ECDSA P-384
over SHA-256, DER: ``openssl dgst -sha256 -verify signature/signer-public-key.pem -signature
signature/tagmanifest-sha512.txt.sig tagmanifest-sha512.txt``) and its ``.tsr``, an RFC 3161
token over SHA-256 of the signature file. Those two are not in the tag manifest they sign. They
are in a folder because bagit-java reads every file of the bag's top folder whose name starts
with ``tagmanifest-`` as a tag manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from archive.merkle import leaf_hash, root_from_path
from archive.naming import resolve_inside
from archive.record_tree import record_tree
from evidence.signing import Signer, fingerprint, load_public_key, public_pem, sign_der, verifies
from evidence.token_check import check_token, load_cas
from evidence.tokens import TOKEN_SUFFIX, tokens_of
from exports.wacz_signing import SignatureCheck, Trust
from foundation.errors import ArchiverenError
from foundation.pointer import RecordPointer

TAG_MANIFEST = "tagmanifest-sha512.txt"
SIGNATURE_DIR = "signature"
SIGNATURE = f"{SIGNATURE_DIR}/{TAG_MANIFEST}.sig"
SIGNATURE_TOKEN = SIGNATURE + ".tsr"
PUBLIC_KEY = f"{SIGNATURE_DIR}/signer-public-key.pem"
TIMESTAMPS = "timestamps"
RECORDS = "records.jsonl"
WACZ_WARC = "archive/data.warc.gz"


@dataclass(frozen=True)
class CopiedRecord:
    """A record as it was copied into the WACZ's WARC: its pointer into the archive, and its
    offset in the WACZ's WARC (the same bytes, the same length)."""

    pointer: RecordPointer
    wacz_offset: int


def write_bag_evidence(
    bag: Path, archive_dir: Path, copied: list[CopiedRecord], signer: Signer | None
) -> list[Path]:
    """Write the timestamps (when the archive files have tokens) and the signer's public key
    into ``bag``; the tag files written, for the tag manifests."""
    written: list[Path] = []
    by_file: dict[str, list[CopiedRecord]] = defaultdict(list)
    for record in copied:
        by_file[record.pointer.warc_file].append(record)
    lines: list[str] = []
    folder = bag / TIMESTAMPS
    for name, records in sorted(by_file.items()):
        warc = resolve_inside(Path(archive_dir), name)
        stored = tokens_of(warc)
        if not stored:
            continue
        folder.mkdir(exist_ok=True)
        for token in stored:
            for source in (token.path, token.path.with_name(token.path.name + ".json")):
                if source.is_file():
                    shutil.copyfile(source, folder / source.name)
                    written.append(folder / source.name)
        tree = record_tree(warc)
        for record in records:
            pointer = record.pointer
            index = tree.index_of(pointer.offset, pointer.length)
            line = {
                "record_id": pointer.record_id,
                "wacz_offset": record.wacz_offset,
                "length": pointer.length,
                "warc_file": name,
                "offset": pointer.offset,
                "leaf_index": index,
                "tree_size": tree.size,
                "inclusion_path": [node.hex() for node in tree.path(index)],
                "root_sha256": tree.root.hex(),
            }
            lines.append(json.dumps(line, sort_keys=True) + "\n")
    if lines:
        (folder / RECORDS).write_text("".join(lines), encoding="utf-8")
        written.append(folder / RECORDS)
    if signer is not None:
        (bag / SIGNATURE_DIR).mkdir(exist_ok=True)
        (bag / PUBLIC_KEY).write_text(public_pem(signer.public_key), encoding="ascii")
        written.append(bag / PUBLIC_KEY)
    return written


def sign_tag_manifest(bag: Path, signer: Signer) -> list[str]:
    """Sign the finished tag manifest; why the signature has no timestamp, when it has none."""
    signature = sign_der(signer.key, (bag / TAG_MANIFEST).read_bytes())
    (bag / SIGNATURE).write_bytes(signature)
    stamp, failures = signer.time(signature)
    if stamp is not None:
        (bag / SIGNATURE_TOKEN).write_bytes(stamp.token)
    return failures


def check_bag_evidence(bag: Path, trust: Trust) -> SignatureCheck:
    """The bag's signature (who signed, when) and the timestamps of the records it holds."""
    check = SignatureCheck()
    _check_signature(bag, trust, check)
    _check_record_timestamps(bag, trust, check)
    return check


def _check_signature(bag: Path, trust: Trust, check: SignatureCheck) -> None:
    where = f"{bag.name}/{SIGNATURE}"
    if not (bag / SIGNATURE).is_file():
        if trust.signers:
            check.problems.append(f"{bag.name}: not signed, but you asked who signed it (--signer)")
        else:
            check.warnings.append(f"{bag.name}: not signed (no {SIGNATURE})")
        return
    try:
        key = load_public_key((bag / PUBLIC_KEY).read_bytes(), f"{bag.name}/{PUBLIC_KEY}")
    except OSError:
        check.problems.append(
            f"{where}: {PUBLIC_KEY} is missing, so the signature cannot be checked"
        )
        return
    except ArchiverenError as exc:
        check.problems.append(str(exc))
        return
    signature = (bag / SIGNATURE).read_bytes()
    if not verifies(key, (bag / TAG_MANIFEST).read_bytes(), signature):
        check.problems.append(
            f"{where}: does not verify over {TAG_MANIFEST} with {PUBLIC_KEY}: the bag's tag files "
            "were changed after it was signed"
        )
        return
    check.signer = fingerprint(key)
    check.lines.append(f"{where}: {TAG_MANIFEST} signed by key {check.signer} (ECDSA P-384)")
    if trust.signers:
        if check.signer in {fingerprint(k) for k in trust.signers}:
            check.lines.append(f"{where}: the signing key is the one you trust (--signer)")
        else:
            check.problems.append(
                f"{where}: signed by key {check.signer}, which is not the signer you named "
                "(--signer): someone else signed it"
            )
    else:
        check.warnings.append(
            f"{where}: the signing key was not compared with one you trust; give the "
            "organisation's public key with --signer to know who signed"
        )
    if not (bag / SIGNATURE_TOKEN).is_file():
        check.warnings.append(f"{where}: the signature carries no timestamp ({SIGNATURE_TOKEN})")
    elif not trust.ca_files:
        check.warnings.append(f"{where}: timestamp not checked: no CA certificate (--ca CA.pem)")
    else:
        try:
            facts = check_token(
                (bag / SIGNATURE_TOKEN).read_bytes(),
                hashlib.sha256(signature).digest(),
                load_cas(list(trust.ca_files)),
                f"{bag.name}/{SIGNATURE_TOKEN}",
            )
        except ArchiverenError as exc:
            check.problems.append(str(exc))
            return
        check.lines.append(
            f"{where}: the signature existed at {facts.time.isoformat()} (RFC 3161, {facts.authority})"
        )


def _check_record_timestamps(bag: Path, trust: Trust, check: SignatureCheck) -> None:
    """Each record in records.jsonl leads, from its bytes in the WACZ's WARC through its
    inclusion path, to the root its archive file's tokens sign."""
    records = bag / TIMESTAMPS / RECORDS
    if not records.is_file():
        return
    wacz = bag / "data" / "archiveren-export.wacz"
    where = f"{bag.name}/{TIMESTAMPS}/{RECORDS}"
    roots: dict[str, bytes] = {}
    count = 0
    try:
        with zipfile.ZipFile(wacz) as package, package.open(WACZ_WARC) as warc:
            for number, text in enumerate(records.read_text("utf-8").splitlines(), 1):
                line = json.loads(text)
                warc.seek(int(line["wacz_offset"]))
                data = warc.read(int(line["length"]))
                root = root_from_path(
                    leaf_hash(data),
                    int(line["leaf_index"]),
                    int(line["tree_size"]),
                    [bytes.fromhex(node) for node in line["inclusion_path"]],
                )
                if root is None or root.hex() != line["root_sha256"]:
                    check.problems.append(
                        f"{where} line {number}: record {line['record_id']} in the WACZ does not "
                        f"lead to the timestamped root of {line['warc_file']}: it was changed"
                    )
                    continue
                roots[str(line["warc_file"])] = root
                count += 1
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        check.problems.append(f"{where}: unreadable, or the WACZ it points into is ({exc!r})")
        return
    cas = load_cas(list(trust.ca_files)) if trust.ca_files else []
    stamped = 0
    for name, root in sorted(roots.items()):
        tokens = sorted((bag / TIMESTAMPS).glob(f"{name}.*{TOKEN_SUFFIX}"))
        if not tokens or not cas:
            check.warnings.append(
                f"{bag.name}: {name}: "
                + ("no timestamp token in the bag" if not tokens else "tokens not checked: no --ca")
            )
            continue
        for token in tokens:
            try:
                facts = check_token(
                    token.read_bytes(), root, cas, f"{bag.name}/{TIMESTAMPS}/{token.name}"
                )
            except ArchiverenError as exc:
                check.problems.append(str(exc))
                continue
            stamped += 1
            check.lines.append(
                f"{name}: its records were in the archive at {facts.time.isoformat()} "
                f"(RFC 3161, {facts.authority})"
            )
    check.lines.append(
        f"{where}: {count} records lead to their archive file's root; {stamped} tokens valid"
    )
