"""Point a ``tweepy.Client`` at another API base URL, such as the demo X emulator.

tweepy 4.x hard-codes ``https://api.twitter.com`` inside ``BaseClient.request`` (a local
variable, no setting), but sends everything through its own ``requests.Session``. Mounting a
transport adapter for that host on the client's session rewrites each request's URL to the
chosen base just before it is sent; tweepy's error mapping, rate-limit waiting and ``Paginator``
stay untouched, and ``response.url`` shows where the request really went.
"""

from __future__ import annotations

from typing import Any

import tweepy
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")


class BaseUrlAdapter(HTTPAdapter):
    """Sends requests for ``prefix`` to ``base`` instead (path and query unchanged)."""

    def __init__(self, prefix: str, base: str) -> None:
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.base = base.rstrip("/")

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        if request.url and request.url.startswith(self.prefix):
            request.url = self.base + request.url[len(self.prefix) :]
        return super().send(request, *args, **kwargs)


def point_tweepy_at(client: tweepy.Client, api_base: str) -> tweepy.Client:
    """Make ``client`` talk to ``api_base`` (e.g. ``http://127.0.0.1:8104``); returns it."""
    for host in TWEEPY_HOSTS:
        client.session.mount(host + "/", BaseUrlAdapter(host, api_base))
    return client


class XEmulatorClient(tweepy.Client):  # type: ignore[misc]  # tweepy is untyped (Any)
    """A ``tweepy.Client`` for an API at ``api_base``."""

    def __init__(self, bearer_token: str, api_base: str, **kwargs: Any) -> None:
        super().__init__(bearer_token=bearer_token, **kwargs)
        point_tweepy_at(self, api_base)
