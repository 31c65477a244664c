"""The ``metadata/`` directory of a package: one MDTO file per Post and per bestand.

A Post's references (its thread, the Post it answers) are internal only if that Post is in the
package too, which is known once every Post has come by. So Posts are spooled to a file in the
package's work directory as they stream past (only their ids are kept in memory) and their
``informatieobject`` files are written by ``finish``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import TracebackType

from exports.mdto import Ref, informatieobject_xml
from foundation.post import Post


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


class MetadataDir:
    def __init__(self, directory: Path, spool: Path) -> None:
        self.directory = directory
        self.directory.mkdir(exist_ok=True)
        self._spool_path = spool
        self._spool = spool.open("w", encoding="utf-8")
        self._ids: set[str] = set()
        self.files = 0

    def __enter__(self) -> MetadataDir:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._spool.close()

    def add_post(self, post: Post, representaties: list[Ref]) -> None:
        self._ids.add(post.id)
        refs = [[ref.naam, ref.kenmerk, ref.bron] for ref in representaties]
        entry = {"post": post.model_dump(mode="json"), "refs": refs}
        self._spool.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def write(self, name: str, xml: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(xml)
        self.files += 1
        return path

    def finish(self) -> None:
        """Write the Posts' informatieobjecten and remove the spool."""
        self._spool.close()
        with self._spool_path.open(encoding="utf-8") as spool:
            for n, line in enumerate(spool, start=1):
                entry = json.loads(line)
                post = Post.model_validate(entry["post"])
                refs = [Ref(*ref) for ref in entry["refs"]]
                xml = informatieobject_xml(
                    post, representaties=refs, in_package=self._ids.__contains__
                )
                self.write(f"{n:07d}-{safe_name(post.id)}.mdto.xml", xml)
        self._spool_path.unlink()
