"""Who acts on the command line. A command that acts for a person (``export --user``,
``retention … --user``) names an archiveren account, and the person proves it is theirs with
its password: asked on the terminal, read from standard input (``--password-stdin``) or from an
environment variable (``--password-env``). Without a terminal and without either, the command
is refused with what to do, never a traceback. Wrong passwords count towards the same login
locks as the web UI's and are audited."""

from __future__ import annotations

import getpass
import os
import sys

from foundation.errors import ArchiverenError, ConfigError
from search_ui.auth import User, check_login
from search_ui.login_throttle import LoginThrottle
from workspace import Workspace

CLI_ADDRESS = "cli"
"""The 'address' command-line logins are counted under by the login throttle."""


class ActorError(ArchiverenError):
    """The account a command should act for could not be confirmed."""


def read_password(who: str, *, from_stdin: bool = False, env_name: str | None = None) -> str:
    """The password of ``who``: from the environment variable, standard input or the terminal."""
    if env_name:
        password = os.environ.get(env_name, "")
        if not password:
            raise ConfigError(f"environment variable {env_name} is not set")
        return password
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ActorError(f"--password-stdin: standard input ended before a password for {who}")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ActorError(
            f"there is no terminal to ask for the password of {who}: pipe it in with "
            "--password-stdin, or name an environment variable that holds it with --password-env VAR"
        )
    try:
        return getpass.getpass(f"password for {who}: ")
    except EOFError:
        raise ActorError(f"no password given for {who}") from None


def acting_user(
    ws: Workspace,
    username: str | None,
    *,
    role: str,
    from_stdin: bool = False,
    env_name: str | None = None,
) -> User:
    """The enabled account ``username``, once its password is confirmed and its role allows
    ``role``; ActorError otherwise."""
    if not username:
        raise ActorError(
            "give --user NAME: the archiveren account you act as (its password is asked next); "
            "`archiveren users list` shows the accounts"
        )
    throttle = LoginThrottle(ws.catalogue)
    wait = throttle.retry_after(username, CLI_ADDRESS)
    if wait:
        raise ActorError(f"too many wrong passwords for {username}: try again in {wait} seconds")
    password = read_password(username, from_stdin=from_stdin, env_name=env_name)
    row = check_login(ws, username, password)
    catalogue = ws.catalogue()
    if row is None:
        throttle.failed(username, CLI_ADDRESS)
        catalogue.audit(username[:200], "login_failed", address=CLI_ADDRESS, via="cli")
        raise ActorError(
            f"--user {username}: no enabled account with that name and password; nothing was done"
        )
    throttle.succeeded(username)
    user = User(username=row.username, role=row.role)
    if not user.can(role):
        raise ActorError(
            f"--user {user.username} has the role {user.role}; this needs the role {role}"
        )
    return user
