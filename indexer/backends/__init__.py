"""Search backends behind one protocol (indexer.query_model.SearchBackend), chosen by
``search.search_backend`` in the config: tantivy, embedded in the data dir (the default), or an
Elasticsearch / OpenSearch cluster. ``make_backend`` is the one place that chooses.
"""

from __future__ import annotations

from pathlib import Path

from config.models import SearchSettings
from indexer.backends import elastic_mapping, tantivy_schema
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.prepared import DocumentPreparer
from indexer.query_model import SearchBackend

__all__ = ["TantivyBackend", "document_preparer", "index_path", "make_backend"]


def index_path(data_dir: Path) -> Path:
    """Where the tantivy index lives in a data dir."""
    return Path(data_dir) / "index"


def make_backend(settings: SearchSettings, data_dir: Path) -> SearchBackend:
    """The configured backend: tantivy at ``data_dir/index``, or an Elasticsearch/OpenSearch
    client (imported only when chosen, so tantivy users need no cluster libraries)."""
    if settings.search_backend == "tantivy":
        return TantivyBackend(index_path(data_dir))
    from indexer.backends.elastic_backend import ElasticsearchBackend

    return ElasticsearchBackend(settings)


def document_preparer(settings: SearchSettings) -> DocumentPreparer:
    """The configured backend's ``prepare``, known without opening the backend; from the module
    that makes documents, which is all the extraction workers import of the backend."""
    if settings.search_backend == "tantivy":
        return tantivy_schema.prepare_document
    return elastic_mapping.prepare_document
