"""A local RFC 3161 time-stamping authority on loopback, for the demo and the tests: a small HTTP
endpoint that answers each ``application/timestamp-query`` POST with the reply of OpenSSL's
``openssl ts -reply``, signed by a TSA certificate (extendedKeyUsage critical timeStamping) under
a CA of its own. Both are made on first use in ``directory`` and kept there, so tokens stamped
by an earlier demo run keep verifying against ``ca_file``::

    with LocalTsa(Path("data/demo-tsa")) as tsa:
        tsa.url       # http://127.0.0.1:PORT/tsa
        tsa.ca_file   # the CA certificate (PEM) a verifier trusts

Not product code: a real archive names real authorities in its config."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from foundation.errors import ConfigError

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_QUERY_BYTES = 64 * 1024

_OPENSSL_CONFIG = """\
[ tsa ]
default_tsa = local_tsa

[ local_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
{certs}signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.29.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class LocalTsa:
    """The authority; use as a context manager (see the module docstring)."""

    def __init__(
        self,
        directory: Path,
        *,
        name: str = "archiveren demo",
        port: int = 0,
        send_chain: bool = False,
    ) -> None:
        if shutil.which("openssl") is None:
            raise ConfigError("the local TSA needs the openssl command (apt-get install openssl)")
        self.directory = Path(directory)
        self.name = name
        self._port = port
        self.send_chain = send_chain
        """Put the CA certificate into each token beside the TSA's, as many authorities do."""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.queries = 0
        self.refusing = False
        """While True the endpoint answers 503, as an authority that is down."""

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def url(self) -> str:
        if self._server is None:
            raise ConfigError("local TSA: start it before asking for its URL")
        return f"http://127.0.0.1:{self._server.server_address[1]}/tsa"

    def start(self) -> Self:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not (self.directory / "tsa.pem").exists():
            _make_certificates(self.directory, self.name)
        (self.directory / "openssl.cnf").write_text(
            _OPENSSL_CONFIG.format(
                dir=self.directory.resolve(),
                certs="certs = $dir/ca.pem\n" if self.send_chain else "",
            ),
            encoding="utf-8",
        )
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(min(length, MAX_QUERY_BYTES))
                if tsa.refusing:
                    self._answer(503, b"down for the test", "text/plain")
                elif self.headers.get("Content-Type") != QUERY_TYPE or length > MAX_QUERY_BYTES:
                    self._answer(400, b"expected an application/timestamp-query", "text/plain")
                else:
                    reply = tsa.reply(query)
                    if reply is None:
                        self._answer(400, b"openssl ts refused the query", "text/plain")
                    else:
                        self._answer(200, reply, REPLY_TYPE)

            def _answer(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests and the demo print what matters themselves."""

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        except OSError as exc:
            raise ConfigError(
                f"local TSA: cannot listen on 127.0.0.1:{self._port}: {exc}; free the port"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-tsa", daemon=True
        )
        self._thread.start()
        return self

    def reply(self, query: bytes) -> bytes | None:
        """``openssl ts -reply`` for one query (DER), or None when openssl refuses it."""
        with self._lock, tempfile.TemporaryDirectory(prefix="tsa-") as work:
            self.queries += 1
            query_file, reply_file = Path(work) / "q.tsq", Path(work) / "r.tsr"
            query_file.write_bytes(query)
            done = subprocess.run(
                [
                    "openssl",
                    "ts",
                    "-reply",
                    "-config",
                    str(self.directory / "openssl.cnf"),
                    "-queryfile",
                    str(query_file),
                    "-out",
                    str(reply_file),
                ],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode != 0 or not reply_file.exists():
                return None
            return reply_file.read_bytes()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _make_certificates(directory: Path, name: str) -> None:
    """A CA and a TSA certificate under it, valid for ten years from yesterday."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} TSA")]))
        .issuer_name(ca_name)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (directory / "tsa.pem").write_bytes(tsa_cert.public_bytes(pem))
    (directory / "tsa.key").write_bytes(
        tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "serial").write_text("01\n", encoding="ascii")


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
