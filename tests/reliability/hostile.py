"""A hostile web server on 127.0.0.1, speaking raw HTTP/1.1 over sockets so it can misbehave in
ways a well-mannered server library will not: hang after the request, reset the connection,
send an endless body, redirect in a loop, lie about Content-Length, drip a body a byte at a
time, or serve a gzip bomb. ``/robots.txt`` answers 404 normally so the fetcher gets that far.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable

BOMB_INFLATED_BYTES = 1024 * 1024 * 1024
"""What the gzip bomb inflates to; it travels as about 1 MB."""


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(BOMB_INFLATED_BYTES // len(block))]
    return b"".join(parts) + compressor.flush()


class HostileServer:
    """Serves each behaviour at ``/{name}``; see BEHAVIOURS. Use as a context manager."""

    BEHAVIOURS = ("hang", "reset", "endless", "redirect-loop", "short-body", "drip", "gzip-bomb")

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._bomb = _gzip_bomb()
        self._handlers: dict[str, Callable[[socket.socket], None]] = {
            "/robots.txt": self._not_found,
            "/hang": self._hang,
            "/reset": self._reset,
            "/endless": self._endless,
            "/redirect-loop": self._redirect_loop,
            "/short-body": self._short_body,
            "/drip": self._drip,
            "/gzip-bomb": self._gzip,
        }
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode("latin-1").split("?")[0]
            self._handlers.get(path, self._not_found)(conn)
        except OSError:
            pass  # the client gave up on us, which is the point
        finally:
            conn.close()

    def _send(self, conn: socket.socket, status: str, headers: list[str], body: bytes) -> None:
        head = "".join(f"{h}\r\n" for h in [f"HTTP/1.1 {status}", *headers])
        conn.sendall(head.encode("latin-1") + b"\r\n" + body)

    def _not_found(self, conn: socket.socket) -> None:
        self._send(conn, "404 Not Found", ["Content-Length: 0", "Connection: close"], b"")

    def _hang(self, conn: socket.socket) -> None:
        self._stopping.wait(60)

    def _reset(self, conn: socket.socket) -> None:
        # linger 0 makes close() send RST instead of FIN
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _endless(self, conn: socket.socket) -> None:
        self._send(conn, "200 OK", ["Content-Type: application/rss+xml"], b"")
        block = b"<item>" + b"x" * 65536
        while not self._stopping.is_set():
            conn.sendall(block)

    def _redirect_loop(self, conn: socket.socket) -> None:
        self._send(conn, "302 Found", ["Location: /redirect-loop", "Content-Length: 0"], b"")

    def _short_body(self, conn: socket.socket) -> None:
        self._send(conn, "200 OK", ["Content-Type: text/xml", "Content-Length: 100000"], b"<rss>")

    def _drip(self, conn: socket.socket) -> None:
        self._send(conn, "200 OK", ["Content-Type: text/xml", "Content-Length: 100000"], b"")
        while not self._stopping.is_set():
            conn.sendall(b"<")
            time.sleep(0.2)

    def _gzip(self, conn: socket.socket) -> None:
        headers = [
            "Content-Type: application/rss+xml",
            "Content-Encoding: gzip",
            f"Content-Length: {len(self._bomb)}",
        ]
        self._send(conn, "200 OK", headers, self._bomb)
