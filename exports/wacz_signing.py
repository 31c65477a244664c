"""Signs a WACZ per the WACZ Signing and Verification spec 0.1.0 (specs.webrecorder.net/wacz-auth)
and checks such a signature. ``datapackage-digest.json`` gets a ``signedData`` in the spec's
anonymous form: ``hash`` (the "sha256:..." of datapackage.json, the string that is signed),
``created`` (datapackage.json's own, as py-wacz's validation requires), ``software``,
``signature`` (base64 of the ECDSA P-384/SHA-256 signature of that string, r || s as WebCrypto
and ArchiveWeb.page write it) and ``publicKey`` (base64 of the key's SubjectPublicKeyInfo, DER).
When an authority is configured it also holds, as the spec's domain form does, ``timeSignature``
(base64 of an RFC 3161 TimeStampResp over SHA-256 of the ``signature`` text) and
``timestampCert`` (the certificates the token carries, PEM): when the signature existed."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from evidence.signing import (
    Signer,
    fingerprint,
    load_public_key,
    public_der,
    raw_to_der,
    sign_raw,
    verifies,
)
from evidence.token_check import check_token, load_cas
from foundation import SOFTWARE
from foundation.errors import ArchiverenError

MAX_CLOCK_SKEW_SECONDS = 600
"""The spec allows ``created`` to be 10 minutes from the time in ``timeSignature``."""


def signed_data(
    signer: Signer, package_hash: str, created: str
) -> tuple[dict[str, Any], list[str]]:
    """The ``signedData`` for a datapackage.json whose digest string is ``package_hash``, and
    why it carries no timestamp when it does not (no authority answered)."""
    signature = base64.b64encode(sign_raw(signer.key, package_hash.encode("ascii"))).decode()
    data: dict[str, Any] = {
        "hash": package_hash,
        "created": created,
        "software": SOFTWARE,
        "signature": signature,
        "publicKey": base64.b64encode(public_der(signer.public_key)).decode("ascii"),
    }
    stamp, failures = signer.time(signature.encode("ascii"))
    if stamp is not None:
        data["timeSignature"] = base64.b64encode(stamp.token).decode("ascii")
        data["timestampCert"] = "".join(stamp.facts.certificates_pem)
    return data, failures


@dataclass(frozen=True)
class Trust:
    """What the reader of a package trusts: the organisation's public key(s) (``--signer``) and
    the CA certificates of the time-stamping authorities (``--ca``, or evidence.ca_files)."""

    signers: tuple[ec.EllipticCurvePublicKey, ...] = ()
    ca_files: tuple[Path, ...] = ()


@dataclass
class SignatureCheck:
    """What checking a ``signedData`` found: facts for the report, and problems."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signer: str = ""
    """The signing key's fingerprint, once the signature verified."""


def check_signed_data(
    where: str,
    signed: object,
    package_hash: str,
    created: object,
    trust: Trust,
) -> SignatureCheck:
    """Check a WACZ's ``signedData``: it signs the digest of datapackage.json, its signature
    verifies with its public key, that key is one the reader trusts (``trust.signers``, when
    given), and its timeSignature (when there is one) verifies under ``trust.ca_files``."""
    check = SignatureCheck()
    if not isinstance(signed, dict):
        check.problems.append(f"{where}: signedData is not an object")
        return check
    if signed.get("hash") != package_hash:
        check.problems.append(
            f"{where}: the signature is over {signed.get('hash')!r}, not over this "
            f"datapackage.json ({package_hash}): the package changed after it was signed"
        )
        return check
    if signed.get("created") != created:
        check.problems.append(
            f"{where}: signedData.created {signed.get('created')!r} differs from "
            f"datapackage.json's created {created!r}"
        )
    if "publicKey" not in signed:
        check.problems.append(
            f"{where}: signedData has no publicKey; archiveren checks the anonymous form of the "
            "WACZ signing spec (a domain certificate signature needs an authsign verifier)"
        )
        return check
    try:
        key = load_public_key(base64.b64decode(str(signed["publicKey"]), validate=True), where)
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
        der = raw_to_der(signature)
    except (ArchiverenError, binascii.Error, ValueError) as exc:
        check.problems.append(f"{where}: the signature or its public key is unreadable ({exc})")
        return check
    if not verifies(key, package_hash.encode("ascii"), der):
        check.problems.append(
            f"{where}: the signature does not verify with the public key beside it: "
            "datapackage-digest.json was changed"
        )
        return check
    check.signer = fingerprint(key)
    check.lines.append(f"{where}: signed by key {check.signer} (ECDSA P-384), created {created}")
    if trust.signers:
        if check.signer not in {fingerprint(trusted) for trusted in trust.signers}:
            check.problems.append(
                f"{where}: signed by key {check.signer}, which is not the signer you named "
                "(--signer): someone else signed it"
            )
        else:
            check.lines.append(f"{where}: the signing key is the one you trust (--signer)")
    else:
        check.warnings.append(
            f"{where}: the signing key was not compared with one you trust; give the "
            "organisation's public key with --signer to know who signed"
        )
    _check_time_signature(where, signed, created, list(trust.ca_files), check)
    return check


def _check_time_signature(
    where: str, signed: dict[str, Any], created: object, ca_files: list[Path], check: SignatureCheck
) -> None:
    if "timeSignature" not in signed:
        check.warnings.append(f"{where}: the signature carries no timestamp (timeSignature)")
        return
    signature_text = str(signed.get("signature", "")).encode("ascii")
    try:
        token = base64.b64decode(str(signed["timeSignature"]), validate=True)
    except (binascii.Error, ValueError):
        check.problems.append(f"{where}: timeSignature is not base64")
        return
    if not ca_files:
        check.warnings.append(
            f"{where}: timeSignature not checked: no CA certificate of a time-stamping "
            "authority (evidence.ca_files, or --ca CA.pem)"
        )
        return
    try:
        facts = check_token(
            token,
            hashlib.sha256(signature_text).digest(),
            load_cas(ca_files),
            f"{where}: timeSignature",
        )
    except ArchiverenError as exc:
        check.problems.append(str(exc))
        return
    check.lines.append(
        f"{where}: the signature existed at {facts.time.astimezone(UTC).isoformat()} "
        f"(RFC 3161, {facts.authority})"
    )
    try:
        made = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        check.problems.append(f"{where}: created {created!r} is not an ISO 8601 time")
        return
    if made.tzinfo is None:
        made = made.replace(tzinfo=UTC)
    skew = abs((facts.time - made).total_seconds())
    if skew > MAX_CLOCK_SKEW_SECONDS:
        check.problems.append(
            f"{where}: created {created} is {skew:.0f} s from the timestamp's time "
            f"{facts.time.isoformat()} (the spec allows {MAX_CLOCK_SKEW_SECONDS} s)"
        )
