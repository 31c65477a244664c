"""Evidence that holds up: trusted timestamps (RFC 3161) on every closed WARC file and a proof
for a single record. The root of each closed file's record tree (archive/record_tree.py) is sent
to the time-stamping authorities the config names; their tokens are kept beside the file
(``tokens``), made by ``stamping`` after a file closes and never inside a collection run's
writes, checked by ``verification`` (for ``archiveren verify``) and carried, with the record and
its inclusion path, in a self-contained proof (``proof``) that ``proof_check`` verifies without
the archive. It reads WARC files only through ``archive``; collectors, the scheduler and the
command line call it."""
