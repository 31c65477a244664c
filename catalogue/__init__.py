"""The catalogue: what archiveren knows beside the WARCs, in one database (SQLAlchemy over
SQLite in the data dir, or PostgreSQL through ``database_url``).

``store`` (``Catalogue``: sources, runs, WARC files, the index watermark, users, sessions, the
audit log), ``schema`` (the tables) and ``migrations`` (Alembic; run when the catalogue opens),
``locks`` (one collection per source, one writer per index, across processes and hosts),
``usernames`` (what a user name may be), ``retention`` (which Posts are held or destroyed) and
``jobs`` (the scheduler's job store, read for the next run times). It stands on ``foundation``
and nothing else of archiveren; every stage above may use it.
"""
