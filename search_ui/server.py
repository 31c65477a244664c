"""Running the app: uvicorn on the configured host and port, behind which a reverse proxy may
terminate TLS (its X-Forwarded-Proto is trusted from loopback, so cookies are marked Secure).
Ctrl-C stops uvicorn cleanly and the workspace closes its catalogue and backend."""

from __future__ import annotations

import uvicorn

from search_ui.app import create_app
from workspace import Workspace


def run_server(ws: Workspace, host: str, port: int) -> None:
    app = create_app(ws)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
    )
    try:
        uvicorn.Server(config).run()
    finally:
        ws.close()
