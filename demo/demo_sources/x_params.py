"""Request checks of the X API v2 emulator: unknown and malformed parameters answered with the
API's 400 problem JSON, opaque paging tokens, and which rate-limit window a path counts against."""

from __future__ import annotations

import re
from datetime import datetime

from demo_sources.httpbase import Request, Response, json_response

INVALID = "https://api.twitter.com/2/problems/invalid-request"


class Problem(Exception):
    """Raised by a parameter check; carries the 400 answer to send."""

    def __init__(self, response: Response) -> None:
        self.response = response


def invalid(parameters: dict[str, list[str]], message: str) -> Problem:
    body = {
        "errors": [{"parameters": parameters, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID,
    }
    return Problem(json_response(body, 400))


def endpoint_of(path: str) -> str:
    """Which rate-limit window a request counts against."""
    if path.startswith("/2/users/by/") or re.fullmatch(r"/2/users/\d+", path):
        return "user"
    if path.endswith("/tweets") and path.startswith("/2/users/"):
        return "timeline"
    if path.startswith("/2/lists/"):
        return "list"
    return "search" if path.startswith("/2/tweets/search/") else "lookup"


def check_params(request: Request, allowed: list[str]) -> None:
    for name, values in request.query.items():
        if name not in allowed:
            raise invalid(
                {name: values},
                f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]",
            )


def id_arg(request: Request, name: str) -> int | None:
    value = request.arg(name)
    if value is None:
        return None
    if not value.isdigit():
        raise invalid(
            {name: [value]},
            f"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$",
        )
    return int(value)


def time_arg(request: Request, name: str) -> datetime | None:
    value = request.arg(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(
            {name: [value]},
            f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 timestamp",
        ) from None


def encode_token(direction: str, anchor: int) -> str:
    return "7140dibd" + direction + _base36(anchor)


def decode_token(token: str, name: str) -> tuple[str, int]:
    match = re.fullmatch(r"7140dibd([np])([0-9a-z]+)", token)
    if not match:
        raise invalid({name: [token]}, f"The `{name}` query parameter value [{token}] is not valid")
    return match.group(1), int(match.group(2), 36)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
