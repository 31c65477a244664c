"""Bulk writes for ElasticsearchBackend: Posts and deletions stream to the engine in batches
through the client's streaming bulk helper, which retries items the engine turns away for load
(429, and 503 on Elasticsearch). A batch that meets an unreachable or overloaded engine waits
with growing pauses and is sent again whole (writes are idempotent by id), so nothing before
it is re-sent and nothing after it is skipped; after ``outage_wait_seconds`` it gives up with
BackendUnavailable saying how far it got. Documents the engine refuses (and ids too long for
it) are collected and reported together in one BulkRejected once everything else is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from foundation.errors import BackendUnavailable, IndexError_
from indexer.backends.elastic_client import (
    RETRY_STATUSES,
    EngineClient,
    is_engine_error,
    is_unreachable,
    reason_of,
    status_of,
)
from indexer.prepared import PreparedPost

T = TypeVar("T")

MAX_ID_BYTES = 512
"""Both engines refuse longer document ids, and fail the whole bulk request over one."""

Rejection = tuple[str, str]


class BulkRejected(IndexError_):
    """The engine refused some documents of a bulk write; ``rejected`` holds (post id, reason)."""

    def __init__(self, index: str, written: int, rejected: list[Rejection]) -> None:
        self.written = written
        self.rejected = rejected
        shown = "\n".join(f"  {post_id}: {reason}" for post_id, reason in rejected[:20])
        more = f"\n  ... and {len(rejected) - 20} more" if len(rejected) > 20 else ""
        super().__init__(
            f"search index {index!r}: {len(rejected)} Post(s) rejected, {written} written:\n{shown}{more}\n"
            "Fix the extractor that produced them (or the index template) and run `archiveren index` again."
        )


@dataclass
class BulkWriter:
    client: EngineClient
    where: str
    outage_wait_seconds: float = 300.0
    retry_interval_seconds: float = 2.0
    batch_size: int = 1000

    def index(self, index: str, documents: Iterable[PreparedPost]) -> int:
        """Write prepared Posts into ``index`` (an alias or index name), refreshed when it returns."""
        rejected: list[Rejection] = []

        def actions() -> Iterator[dict[str, Any]]:
            for prepared in documents:
                size = len(prepared.id.encode("utf-8"))
                if size > MAX_ID_BYTES:
                    rejected.append(
                        (
                            prepared.id,
                            f"id is {size} bytes long; the engine takes at most {MAX_ID_BYTES}",
                        )
                    )
                    continue
                yield {
                    "_op_type": "index",
                    "_index": index,
                    "_id": prepared.id,
                    "_source": prepared.document,
                }

        return self._write(index, actions(), what="indexing Posts", rejected=rejected)

    def delete(self, index: str, post_ids: Iterable[str]) -> int:
        """Delete by id; ids that are not there are not an error, nor counted."""
        actions = ({"_op_type": "delete", "_index": index, "_id": post_id} for post_id in post_ids)
        return self._write(index, actions, what="deleting Posts", rejected=[], missing_ok=True)

    def _write(
        self,
        index: str,
        actions: Iterator[dict[str, Any]],
        *,
        what: str,
        rejected: list[Rejection],
        missing_ok: bool = False,
    ) -> int:
        written = 0
        while batch := list(islice(actions, self.batch_size)):
            done, refused = self._send(batch, what=what, written_before=written)
            written += done
            rejected += [
                (post_id, reason)
                for post_id, reason in refused
                if not (missing_ok and reason == "not_found")
            ]
        if written or rejected:
            self._send_with_wait(
                lambda: self.client.raw.indices.refresh(index=index), what=f"{what}: refreshing"
            )
        if rejected:
            raise BulkRejected(index, written, rejected)
        return written

    def _send(
        self, batch: list[dict[str, Any]], *, what: str, written_before: int
    ) -> tuple[int, list[Rejection]]:
        def attempt() -> tuple[int, list[Rejection]]:
            done, refused = 0, []
            for ok, item in self.client.streaming_bulk(
                batch, max_retries=3, initial_backoff=self.retry_interval_seconds
            ):
                result = next(iter(item.values()))
                if ok:
                    done += 1
                else:
                    refused.append((str(result.get("_id")), item_reason(result)))
            return done, refused

        return self._send_with_wait(
            attempt,
            what=what,
            place=f"{written_before} written before the outage, the batch from Post {batch[0]['_id']!r} on was not",
        )

    def _send_with_wait(self, attempt: Callable[[], T], *, what: str, place: str = "") -> T:
        """Run ``attempt`` until the engine answers it; an outage makes it wait, not skip."""
        deadline = time.monotonic() + self.outage_wait_seconds
        delay = self.retry_interval_seconds
        while True:
            try:
                return attempt()
            except Exception as exc:
                if not (is_unreachable(exc) or status_of(exc) in RETRY_STATUSES):
                    if is_engine_error(exc):
                        raise IndexError_(
                            f"{what}: {self.where} refused a bulk request: {reason_of(exc)}"
                        ) from None
                    raise
                if time.monotonic() + delay > deadline:
                    raise BackendUnavailable(
                        f"{what}: {self.where} has been unreachable or overloaded for {self.outage_wait_seconds:.0f}s ({reason_of(exc)}); "
                        f"{place + '; ' if place else ''}start the engine and run the command again (it carries on from the watermark)"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 30.0)


def item_reason(result: dict[str, Any]) -> str:
    """Why the engine refused one bulk item, short enough to read in a list."""
    error = result.get("error")
    if isinstance(error, dict):
        # The engine quotes the offending value, which may be huge.
        reason = f"{error.get('type')}: {str(error.get('reason'))[:240]}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" (caused by {cause.get('type')}: {str(cause.get('reason'))[:160]})"
        return reason
    if result.get("result") == "not_found" or result.get("status") == 404:
        return "not_found"
    return str(error or result.get("status"))
