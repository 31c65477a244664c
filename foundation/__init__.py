"""The foundation: what every stage of archiveren stands on, and nothing that stands on a stage.

Every package may import ``foundation``; ``foundation`` imports no other archiveren package. It
holds the error hierarchy (``errors``), the records the stages pass to each other (``pointer``:
where a capture lies in a WARC; ``post``: the document the indexer writes and the UI and exports
read), URL joining and markup cleaning that survive hostile input (``urls``, ``markup_safety``),
UTC time (``utc``), secret scrubbing (``scrub``) and the software's name and version. The name
says its place in the layers: the ground floor under the catalogue, the platform knowledge,
the archive, collectors, indexer, exports, the search UI and the command line.
"""

__version__ = "0.1.0"
SOFTWARE = f"archiveren/{__version__}"
"""How archiveren names itself in WARC headers, exports and its User-Agent."""
