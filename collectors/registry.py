"""The one table of collectors by source type. A new collector adds its line here; the runner
looks sources up in it and nothing is discovered by magic."""

from __future__ import annotations

from collectors.base import Collector
from collectors.feeds import FeedCollector
from collectors.network import NetworkCollector

COLLECTORS: dict[str, type[Collector]] = {
    FeedCollector.source_type: FeedCollector,
    NetworkCollector.source_type: NetworkCollector,
}
