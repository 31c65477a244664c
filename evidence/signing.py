"""The organisation's signing key and what it signs with: an ECDSA key on curve P-384 kept in one
PEM file (PKCS#8, mode 0600) that ``archiveren keys create`` makes and ``evidence.signing_key_file``
names. Signatures use SHA-256, as the WACZ signing spec's anonymous form (ArchiveWeb.page) does;
``sign_raw`` gives the IEEE P1363 form (r || s) that spec's ``signature`` holds, ``sign_der``
the DER form OpenSSL's ``dgst -verify`` reads (a bag's detached signature). A signature's time
comes from the configured RFC 3161 authorities (``time_signature``). The key itself never leaves
this module: messages and logs name it by its fingerprint, the SHA-256 of its public key (DER)."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from config.models import EvidenceSettings
from evidence.stamping import ca_paths
from evidence.token_check import TokenFacts, check_token, load_cas
from evidence.tsa_client import authority_name, request_token
from foundation.errors import ArchiverenError, EvidenceError

CURVE = ec.SECP384R1()
COORDINATE_BYTES = 48
"""P-384: r and s are 48 bytes each in the P1363 form."""


def key_path(settings: EvidenceSettings, config_dir: Path | None) -> Path | None:
    """The signing key file the config names (relative to the config's directory), or None."""
    if not settings.signing_key_file:
        return None
    path = Path(settings.signing_key_file).expanduser()
    return path if path.is_absolute() or config_dir is None else config_dir / path


def fingerprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """SHA-256 of the public key's SubjectPublicKeyInfo (DER), in hex: how a key is named."""
    return hashlib.sha256(public_der(public_key)).hexdigest()


def public_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_pem(public_key: ec.EllipticCurvePublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """A new P-384 key written to ``path`` (0600, never over an existing file)."""
    path = Path(path)
    if path.exists():
        raise EvidenceError(
            f"{path} exists already; a signing key is never overwritten (move it away first, "
            "and keep it: packages signed with it are checked with its public key)"
        )
    key = ec.generate_private_key(CURVE)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise EvidenceError(
            f"cannot write the signing key to {path}: {exc.strerror or exc}"
        ) from None
    return key


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The P-384 private key in ``path``; refused when others may read the file."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise EvidenceError(
            f"signing key {path}: {exc.strerror or exc}; make one with `archiveren keys create`"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise EvidenceError(
            f"signing key {path} may be read by others (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}`"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise EvidenceError(
            f"signing key {path} is not an unencrypted PEM private key; make one with "
            "`archiveren keys create`"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != CURVE.name:
        raise EvidenceError(f"signing key {path} is not an ECDSA key on curve P-384")
    return key


def sign_der(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA-SHA256 signature of ``data``, DER (what ``openssl dgst -sha256 -verify`` reads)."""
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def sign_raw(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA-SHA256 signature of ``data`` as r || s (IEEE P1363, WebCrypto's form)."""
    r, s = decode_dss_signature(sign_der(key, data))
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def raw_to_der(signature: bytes) -> bytes:
    """The DER form of an r || s signature (for OpenSSL); EvidenceError when it has no form."""
    if len(signature) != 2 * COORDINATE_BYTES:
        raise EvidenceError(
            f"the signature is {len(signature)} bytes, not the {2 * COORDINATE_BYTES} of r || s "
            "on P-384"
        )
    r = int.from_bytes(signature[:COORDINATE_BYTES], "big")
    s = int.from_bytes(signature[COORDINATE_BYTES:], "big")
    return encode_dss_signature(r, s)


def verifies(public_key: ec.EllipticCurvePublicKey, data: bytes, der_signature: bytes) -> bool:
    try:
        public_key.verify(der_signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def load_public_key(data: bytes, where: str) -> ec.EllipticCurvePublicKey:
    """A P-384 public key from PEM or DER ``data``."""
    try:
        key = (
            serialization.load_pem_public_key(data)
            if data.lstrip().startswith(b"-----")
            else serialization.load_der_public_key(data)
        )
    except (ValueError, TypeError):
        raise EvidenceError(f"{where}: not a public key (PEM or DER)") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != CURVE.name:
        raise EvidenceError(f"{where}: not an ECDSA public key on curve P-384")
    return key


@dataclass(frozen=True)
class TimeSignature:
    """An authority's RFC 3161 token over SHA-256 of some signed bytes, and what it says."""

    token: bytes
    facts: TokenFacts
    authority_url: str


def time_signature(
    data: bytes, settings: EvidenceSettings, config_dir: Path | None
) -> tuple[TimeSignature | None, list[str]]:
    """A token over SHA-256(``data``) from the first configured authority that gives a valid
    one, and why the others before it did not; (None, reasons) when none did or none is set."""
    if not settings.enabled:
        return None, []
    digest = hashlib.sha256(data).digest()
    cas = load_cas(ca_paths(settings, config_dir))
    failures = []
    for url in settings.tsa_urls:
        name = authority_name(url)
        try:
            token = request_token(url, digest, settings.timeout_seconds)
            facts = check_token(token, digest, cas, f"the token of {name}")
        except ArchiverenError as exc:
            failures.append(str(exc))
            continue
        return TimeSignature(token, facts, name), failures
    return None, failures


@dataclass(frozen=True)
class Signer:
    """The organisation's key, with the settings that time its signatures."""

    key: ec.EllipticCurvePrivateKey
    settings: EvidenceSettings
    config_dir: Path | None

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def time(self, data: bytes) -> tuple[TimeSignature | None, list[str]]:
        return time_signature(data, self.settings, self.config_dir)


def signer_for(settings: EvidenceSettings, config_dir: Path | None) -> Signer | None:
    """The configured signer, or None when ``evidence.signing_key_file`` is not set."""
    path = key_path(settings, config_dir)
    if path is None:
        return None
    return Signer(load_key(path), settings, config_dir)
