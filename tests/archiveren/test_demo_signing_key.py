"""The demo signs its exports: the config it writes names a signing key of its own in the data
dir, made on first use (0600) and kept for the next run, so exports made in the demo verify with
the same public key; the config's comment lines (the X token hint) stay."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml

from archiveren.demo import DEMO_SIGNING_KEY, with_signing_key
from config.models import ArchiverenConfig

DEMO_TEXT = """# archiveren sources for the demo sites (python -m demo_sources)
# X token: export ARCHIVEREN_DEMO_X_TOKEN=abc
organisation: Demo-overheid
evidence:
  tsa_urls: [http://127.0.0.1:8107/tsa]
  ca_files: [/tmp/ca.pem]
sources: []
"""


def test_the_demo_config_names_a_private_signing_key_made_once_and_kept(tmp_path: Path) -> None:
    key = tmp_path / DEMO_SIGNING_KEY
    first = with_signing_key(DEMO_TEXT, key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    made = key.read_bytes()
    second = with_signing_key(DEMO_TEXT, key)
    assert key.read_bytes() == made and first == second
    assert first.startswith("# archiveren sources for the demo sites")
    assert "# X token: export ARCHIVEREN_DEMO_X_TOKEN=abc" in first
    config = ArchiverenConfig.model_validate(yaml.safe_load(first))
    assert config.evidence.signing_key_file == str(key.resolve())
    assert config.evidence.tsa_urls == ["http://127.0.0.1:8107/tsa"]
