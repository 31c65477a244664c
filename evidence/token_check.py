"""Checks one RFC 3161 token against a digest and the trusted CA certificates: the response is
granted, its signature verifies with a certificate that chains to one of the CAs and carries the
critical timeStamping extended key usage (rfc3161-client does the CMS and X.509 work), and its
SHA-256 message imprint is the digest expected. Failures come back as EvidenceError saying which
of these failed, prefixed with where the token came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import TimeStampResponse, VerificationError, VerifierBuilder
from rfc3161_client import decode_timestamp_response as _decode

from foundation.errors import EvidenceError

SHA256_OID = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


@dataclass(frozen=True)
class TokenFacts:
    """What a verified token says."""

    time: datetime
    serial: int
    authority: str
    """The TSA's certificate subject (or the token's tsa name), e.g. CN=... TSA."""
    certificates_pem: list[str]
    """The certificates the token carries (the TSA's, and its chain when the TSA sends it)."""


def load_cas(files: list[Path]) -> list[x509.Certificate]:
    """The CA certificates in ``files`` (PEM, several per file allowed)."""
    cas: list[x509.Certificate] = []
    for path in files:
        try:
            cas += x509.load_pem_x509_certificates(Path(path).read_bytes())
        except OSError as exc:
            raise EvidenceError(f"CA certificate file {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise EvidenceError(
                f"CA certificate file {path} holds no PEM certificate: {exc}"
            ) from None
    return cas


def decode(der: bytes, where: str) -> TimeStampResponse:
    """The TimeStampResp ``der``. Authorities such as OpenSSL's send their certificate chain in
    the order of the chain, not in the order DER asks of a SET OF, which rfc3161-client refuses;
    such a response is read with its certificates put in DER order (the signature does not cover
    them, and the token kept is the one received)."""
    try:
        return _decode(der)
    except ValueError as exc:
        if "InvalidSetOrdering" not in str(exc):
            raise EvidenceError(f"{where}: not a timestamp response ({exc})") from None
    try:
        return _decode(_certificates_in_der_order(der))
    except ValueError as exc:
        raise EvidenceError(f"{where}: not a timestamp response ({exc})") from None


def _certificates_in_der_order(der: bytes) -> bytes:
    response = tsp.TimeStampResp.load(der)
    signed = response["time_stamp_token"]["content"]
    ordered = sorted(signed["certificates"], key=lambda choice: choice.dump())
    signed["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices.load(choice.dump()) for choice in ordered]
    )
    return bytes(response.dump(force=True))


def check_token(der: bytes, digest: bytes, cas: list[x509.Certificate], where: str) -> TokenFacts:
    """The facts of the token ``der`` if it is valid for ``digest`` under ``cas``."""
    response = decode(der, where)
    info = response.tst_info
    if info.message_imprint.hash_algorithm != SHA256_OID:
        raise EvidenceError(
            f"{where}: the token's imprint is not SHA-256; archiveren cannot check it"
        )
    if not cas:
        raise EvidenceError(
            f"{where}: no CA certificate to check the token against; name the authority's CA "
            "in evidence.ca_files (verify-proof: --ca CA.pem)"
        )
    builder = VerifierBuilder()
    for ca in cas:
        builder = builder.add_root_certificate(ca)
    try:
        builder.build().verify(response, info.message_imprint.message)
    except VerificationError as exc:
        raise EvidenceError(
            f"{where}: the token's signature does not verify under the trusted CA certificate(s) "
            f"({', '.join(ca.subject.rfc4514_string() for ca in cas)}): {exc}; it was made by "
            "another authority or changed"
        ) from None
    if info.message_imprint.message != digest:
        raise EvidenceError(
            f"{where}: the token signs {info.message_imprint.message.hex()}, but the data gives "
            f"{digest.hex()}: the data changed after it was timestamped"
        )
    certs = [x509.load_der_x509_certificate(c) for c in response.signed_data.certificates]
    signer = next(iter(response.signed_data.signer_infos))
    subject = next(
        (
            c.subject.rfc4514_string()
            for c in certs
            if c.issuer == signer.issuer and c.serial_number == signer.serial_number
        ),
        signer.issuer.rfc4514_string(),
    )
    return TokenFacts(
        time=info.gen_time,
        serial=info.serial_number,
        authority=subject,
        certificates_pem=[c.public_bytes(Encoding.PEM).decode("ascii") for c in certs],
    )
