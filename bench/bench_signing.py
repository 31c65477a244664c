"""Signing benchmark: what signing an export adds, as ratios to a reference measured in the same
run. The reference is reading a package once for its SHA-256 (what every export already does for
its manifests); beside it: the ECDSA P-384 signature of a WACZ's datapackage digest, the same with
its RFC 3161 timeSignature from a local OpenSSL authority on loopback (demo_sources.tsa), and the
detached signature of a bag's tag manifest. Absolute times depend on the machine; the ratios say
whether signing is small beside the hashing an export does anyway.

    python -m bench.bench_signing [--mb 64] [--rounds 20] [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.models import EvidenceSettings
from demo_sources.tsa import LocalTsa
from evidence.signing import Signer, create_key, sign_der, sign_raw

CHUNK = 1024 * 1024


def _median_seconds(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bench(megabytes: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as tmp:
        root = Path(tmp)
        package = root / "package.bin"
        with package.open("wb") as handle:
            for _ in range(megabytes):
                handle.write(os.urandom(CHUNK))
        key = create_key(root / "key.pem")
        digest = "sha256:" + _sha256_file(package)
        manifest = (digest + "  data/archiveren-export.wacz\n").encode() * 8
        with LocalTsa(root / "tsa", name="bench") as tsa:
            settings = EvidenceSettings(tsa_urls=[tsa.url], ca_files=[str(tsa.ca_file)])
            signer = Signer(key, settings, None)
            reference = _median_seconds(lambda: _sha256_file(package), max(3, rounds // 4))
            signature = _median_seconds(lambda: sign_raw(key, digest.encode()), rounds)
            timed = _median_seconds(
                lambda: signer.time(sign_raw(key, digest.encode())), max(3, rounds // 4)
            )
            detached = _median_seconds(lambda: sign_der(key, manifest), rounds)
    return {
        "package_mb": megabytes,
        "reference_sha256_s": round(reference, 4),
        "sign_s": round(signature, 5),
        "sign_and_timestamp_s": round(timed, 4),
        "tag_manifest_sign_s": round(detached, 5),
        "ratios": {
            "sign_vs_sha256": round(signature / reference, 4),
            "sign_and_timestamp_vs_sha256": round(timed / reference, 4),
            "tag_manifest_sign_vs_sha256": round(detached / reference, 4),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=64, help="size of the package hashed (MB)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    figures = bench(args.mb, args.rounds)
    print(json.dumps(figures, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
