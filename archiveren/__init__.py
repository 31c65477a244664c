"""archiveren: keep civil servants' public online work as government records.

This package is the roof: the command line, the scheduler and the workflows that join the
stages (retention, the demo run). It imports the stages; no stage imports it. The layers below,
from the ground up: ``foundation`` (errors, records passed between stages), ``config``,
``catalogue`` and ``platforms``; ``archive``; ``collectors`` and ``indexer``; ``exports``;
``workspace``; ``search_ui``. ``tests/architecture/test_import_graph.py`` keeps it that way.
"""

from foundation import SOFTWARE, __version__

__all__ = ["SOFTWARE", "__version__"]
