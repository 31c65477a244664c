"""Network sites (Ning-style communities, PBworks-style wikis, Elgg/Pleio) crawled with Scrapy.

``NetworkCollector`` is the collector the registry knows; ``collector`` runs each crawl in a
child process (``crawl``), where the ``SiteSpider`` walks the site and the
``WarcRecorderMiddleware`` archives every exchange as it came over the wire.
"""
