"""The one table of collectors by source type. A new collector adds its line here; the runner
looks sources up in it and nothing is discovered by magic."""

from __future__ import annotations

from collectors.base import Collector
from collectors.feeds import FeedCollector
from collectors.mastodon import MastodonCollector
from collectors.network.collector import NetworkCollector
from collectors.pleio import PleioCollector
from collectors.x import XCollector
from collectors.x_archive import XArchiveCollector

COLLECTORS: dict[str, type[Collector]] = {
    FeedCollector.source_type: FeedCollector,
    NetworkCollector.source_type: NetworkCollector,
    XCollector.source_type: XCollector,
    XArchiveCollector.source_type: XArchiveCollector,
    MastodonCollector.source_type: MastodonCollector,
    PleioCollector.source_type: PleioCollector,
}
