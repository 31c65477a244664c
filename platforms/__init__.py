"""What archiveren knows about the platforms it archives, shared by the collectors that fetch
them and the indexer that reads them back, so that both read a page or an entry the same way.

``profile`` (site profiles of network sites, kept as YAML in ``profiles/`` beside it), ``rules``
(the rule language a profile's page types are written in), ``dates`` (dates as those sites print
them), ``url_rules`` (which page a network-site URL shows), ``feed_entries`` (a feed's entries as
the JSON the feed collector stores and the feed extractor reads), ``x_media`` (which file of an X
media object to keep), ``ownership`` (which source may speak for which web page) and
``comment_keys`` (how a comment on a network-site page is named, so the crawl that notices it
missing and the index that holds it agree). It stands on ``foundation`` alone; collectors and
indexer, which never import each other, both import it.
"""
