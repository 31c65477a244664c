"""The archivists' web app and JSON API: search, record view, thread, replay, collections and
export hand-off, behind accounts with roles. ``create_app(ws)`` builds the FastAPI app;
``run_server(ws, host, port)`` serves it with uvicorn."""
