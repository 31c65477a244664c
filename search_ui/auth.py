"""Who is asking, and may they: password hashing (argon2id), the signed session cookie, CSRF
tokens, the optional reverse-proxy user header, and the role check every route depends on.

Roles are cumulative: an archivist searches and reads, compliance also exports, admin also
manages sources and users. The session cookie is signed (itsdangerous) and carries the user
name, a random session id and the login time; the session itself lives in the catalogue (by the
SHA-256 of its id), so logging out ends it and a new password, a role change or disabling the
account end all of the user's sessions at once. The CSRF token is an HMAC of the session id, so
a form or JSON POST proves it came from a page this app rendered for this session.

Verifying a password costs argon2id's deliberate ~0.1 s of CPU on every core it may use, so
logins verify in worker threads, at most ``PASSWORD_CHECKS`` at a time (half the cores): a burst
of logins queues without threads of its own instead of starving the pages everybody else reads.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from foundation.errors import ArchiverenError, ConfigError

if TYPE_CHECKING:
    from catalogue.schema import UserRow
    from workspace import Workspace

ROLES: tuple[str, ...] = ("archivist", "compliance", "admin")
SESSION_COOKIE = "archiveren_session"
SESSION_MAX_AGE = 8 * 3600
PASSWORD_CHECKS = max(1, (os.cpu_count() or 2) // 2)
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

_hasher = PasswordHasher()
# A fixed hash to verify against when the user does not exist, so a login for an unknown name
# costs as long as one with a wrong password and does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("archiveren-no-such-user")


def hash_password(password: str) -> str:
    """An argon2id hash (with its own salt and parameters) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a broken hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_limiter() -> anyio.CapacityLimiter:
    """The limiter that bounds how many password verifications run at once in one app."""
    return anyio.CapacityLimiter(PASSWORD_CHECKS)


def check_login(ws: Workspace, username: str, password: str) -> UserRow | None:
    """The enabled account with this name and password, or None. An unknown name costs one hash
    verification too, so timing does not reveal which names exist."""
    row = ws.catalogue().user(username) if username else None
    valid = verify_password(row.password_hash if row else _DUMMY_HASH, password)
    if row is None or row.disabled or not valid or row.role not in ROLES:
        return None
    return row


class NotAuthenticated(ArchiverenError):
    """The request carries no valid session (or proxy user); the UI redirects to the login page."""


class Forbidden(ArchiverenError):
    """The user's role does not allow this; says which role is needed."""


@dataclass(frozen=True)
class User:
    username: str
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def session_secret(ws: Workspace) -> str:
    """The key that signs session cookies: from the environment variable the config names, or a
    random key created once in data_dir/secret_key (mode 0600) so sessions survive restarts."""
    env_name = ws.config(check_secrets=False).server.secret_key_env
    if env_name:
        value = os.environ.get(env_name, "")
        if len(value) < 32:
            raise ConfigError(
                f"server.secret_key_env names {env_name}, which must hold at least 32 characters; set it or remove the setting to use a key kept in the data dir"
            )
        return value
    return _stored_secret(ws.data_dir / "secret_key")


def _stored_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


class SessionCodec:
    """Signs and reads the session cookie and derives the session's CSRF token."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="archiveren-session")
        self._csrf_key = hashlib.sha256(b"csrf:" + secret.encode()).digest()

    def new_session(self, username: str) -> tuple[str, str]:
        """A fresh session id for ``username`` and the signed cookie that carries it."""
        sid = secrets.token_urlsafe(18)
        return self._serializer.dumps({"u": username, "sid": sid}), sid

    def loads(self, cookie: str) -> dict[str, Any] | None:
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and "u" in data and "sid" in data else None

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self._csrf_key, sid.encode(), hashlib.sha256).hexdigest()


SESSION_LIFETIME = timedelta(seconds=SESSION_MAX_AGE)


def session_key(sid: str) -> str:
    """What the catalogue keeps of a session id: its SHA-256, never the id itself."""
    return hashlib.sha256(sid.encode()).hexdigest()


def authenticate(request: Request) -> User | None:
    """The user behind this request (proxy header first when configured, then the session), or
    None. Users must exist in the catalogue and be enabled: the catalogue holds their role. A
    session must still be live in the catalogue and belong to the user its cookie names."""
    state = request.app.state
    catalogue = state.ws.catalogue()
    header = state.trusted_user_header
    row = None
    if header and request.headers.get(header):
        row = catalogue.user(request.headers[header])
    else:
        session = request.scope.get("archiveren.session")
        if session:
            row = catalogue.session_user(session_key(session["sid"]))
            if row is not None and row.username != session["u"]:
                row = None
    if row is None or row.disabled or row.role not in ROLES:
        return None
    return User(username=row.username, role=row.role)


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session ('' without one; forms then fail, as they should)."""
    session = request.scope.get("archiveren.session")
    return request.app.state.sessions.csrf_token(session["sid"]) if session else ""


def check_csrf(request: Request, submitted: str | None) -> bool:
    """True when the submitted token matches the session's. Requests authenticated by the proxy
    header alone carry no ambient session cookie of ours, so they need no token."""
    session = request.scope.get("archiveren.session")
    if session is None:
        return bool(
            request.app.state.trusted_user_header
            and request.headers.get(request.app.state.trusted_user_header)
        )
    return bool(submitted) and hmac.compare_digest(csrf_token(request), submitted or "")


def require(role: str) -> Any:
    """A FastAPI dependency: the current User, or NotAuthenticated / Forbidden."""

    def dependency(request: Request) -> User:
        user = authenticate(request)
        if user is None:
            raise NotAuthenticated("log in first")
        if not user.can(role):
            raise Forbidden(
                f"this needs the role {role}; you are logged in as {user.username} ({user.role})"
            )
        request.state.user = user
        return user

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency
