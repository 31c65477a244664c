"""The engine connection for ElasticsearchBackend: builds the official client for the flavour
(elasticsearch-py 8 for Elasticsearch 8, opensearch-py for OpenSearch) from SearchSettings, and
hides the few places where the two clients differ: point-in-time calls, the bulk helper's
retry options, and the exception types, which are sorted here into "the engine cannot be
reached" (BackendUnavailable), "the engine is overloaded, try again" and "the engine refused
the request" (with its status and reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import elasticsearch
import elasticsearch.helpers
import opensearchpy
import opensearchpy.helpers

from config.loader import secret_from_env
from config.models import SearchSettings

Flavour = Literal["elasticsearch", "opensearch"]
RETRY_STATUSES = (429, 503)
"""Statuses that mean "busy, try again later" rather than "this request is wrong"."""


def failover_options(host_count: int) -> dict[str, Any]:
    """The client's retry options for ``host_count`` configured nodes. One node: no client-side
    retries, the backend decides how long to wait for an engine that is down. Several: a request
    that meets a node that is gone (refused, reset, timed out) goes once to each other node
    before the backend sees the failure; the client marks the node dead and tries it again
    later. Sniffing stays off (both clients' default): the nodes a cluster advertises may be
    addresses this host cannot reach, and the configured list is what the operator vouched for."""
    return {"max_retries": max(host_count - 1, 0), "retry_on_timeout": host_count > 1}


class EngineClient:
    """One client for one flavour; every call goes through here."""

    def __init__(
        self, settings: SearchSettings, flavour: Flavour, *, timeout: float = 30.0
    ) -> None:
        self.flavour = flavour
        self.hosts = list(settings.hosts)
        api_key = secret_from_env(settings.api_key_env, what="the search engine API key")
        username = secret_from_env(settings.username_env, what="the search engine user name")
        password = secret_from_env(settings.password_env, what="the search engine password")
        auth = (username, password or "") if username else None
        tls: dict[str, Any] = {"verify_certs": settings.verify_certs}
        if settings.ca_certs:
            tls["ca_certs"] = settings.ca_certs
        failover = failover_options(len(self.hosts))
        if flavour == "elasticsearch":
            self.raw: Any = elasticsearch.Elasticsearch(
                self.hosts,
                api_key=api_key,
                basic_auth=auth,
                **tls,
                request_timeout=timeout,
                **failover,
            )
        else:
            headers = {"Authorization": f"ApiKey {api_key}"} if api_key else None
            self.raw = opensearchpy.OpenSearch(
                self.hosts,
                http_auth=auth,
                headers=headers,
                **tls,
                timeout=timeout,
                **failover,
            )

    def open_pit(self, index: str, keep_alive: str) -> str:
        if self.flavour == "elasticsearch":
            return str(self.raw.open_point_in_time(index=index, keep_alive=keep_alive)["id"])
        return str(self.raw.create_pit(index=index, params={"keep_alive": keep_alive})["pit_id"])

    def close_pit(self, pit_id: str) -> None:
        if self.flavour == "elasticsearch":
            self.raw.close_point_in_time(id=pit_id)
        else:
            self.raw.delete_pit(body={"pit_id": [pit_id]})

    def streaming_bulk(
        self, actions: Iterable[dict[str, Any]], *, max_retries: int, initial_backoff: float
    ) -> Iterable[tuple[bool, dict[str, Any]]]:
        """The client's streaming bulk helper, retrying rejected-for-load items with backoff and
        yielding (ok, item) for every action; a failed item does not stop the stream."""
        common: dict[str, Any] = {
            "chunk_size": 500,
            "max_retries": max_retries,
            "initial_backoff": initial_backoff,
            "max_backoff": 30,
            "raise_on_error": False,
            "raise_on_exception": True,
        }
        results: Iterable[tuple[bool, dict[str, Any]]]
        if self.flavour == "elasticsearch":
            results = elasticsearch.helpers.streaming_bulk(
                self.raw, actions, retry_on_status=RETRY_STATUSES, **common
            )
        else:  # opensearch-py retries 429 only; a 503 item is reported as rejected.
            results = opensearchpy.helpers.streaming_bulk(self.raw, actions, **common)
        return results

    def close(self) -> None:
        self.raw.close()


def is_unreachable(exc: BaseException) -> bool:
    """True for connection refused/reset, timeouts and TLS failures: the engine is not there."""
    return isinstance(exc, elasticsearch.ConnectionError | opensearchpy.ConnectionError)


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an engine error response, None if there was no response."""
    if isinstance(exc, elasticsearch.ApiError):
        return int(exc.meta.status)
    if isinstance(exc, opensearchpy.TransportError) and isinstance(exc.status_code, int):
        return exc.status_code
    return None


def is_engine_error(exc: BaseException) -> bool:
    return isinstance(
        exc, elasticsearch.ApiError | elasticsearch.TransportError | opensearchpy.TransportError
    )


def reason_of(exc: BaseException) -> str:
    """The engine's own explanation (root cause reason) of an error response."""
    body: Any = None
    if isinstance(exc, elasticsearch.ApiError):
        body = exc.body
    elif isinstance(exc, opensearchpy.TransportError):
        body = exc.info
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        causes = error.get("root_cause") or [error]
        return "; ".join(
            f"{c.get('type')}: {c.get('reason')}" for c in causes if isinstance(c, dict)
        )
    return str(exc)
