"""The human-readable export report (HTML): what was exported, by whom, why, with which query."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, select_autoescape

TEMPLATE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Exportrapport {{ s.export_id }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#1a1a1a}
th{text-align:left;padding-right:1.5rem;vertical-align:top}td,th{padding:.2rem .5rem}
table{border-collapse:collapse}tr:nth-child(even){background:#f0f4f8}code{word-break:break-all}</style></head>
<body><h1>Exportrapport archiveren</h1>
<table>
<tr><th>Export</th><td><code>{{ s.export_id }}</code></td></tr>
<tr><th>Gemaakt door</th><td>{{ s.user }}</td></tr>
<tr><th>Gemaakt op (UTC)</th><td>{{ s.created_at.strftime('%Y-%m-%d %H:%M:%S') }}</td></tr>
<tr><th>Reden</th><td>{{ s.reason or '—' }}</td></tr>
{% if s.case %}<tr><th>Zaak</th><td>{{ s.case }}</td></tr>{% endif %}
<tr><th>Zoekvraag</th><td><code>{{ s.query or '(alles)' }}</code></td></tr>
<tr><th>Filters</th><td>{% for k, v in s.filters.items() %}<code>{{ k }} = {{ v|join(', ') }}</code><br>{% else %}—{% endfor %}</td></tr>
<tr><th>Formaat</th><td>{{ s.fmt }}</td></tr>
<tr><th>Aantal records</th><td>{{ s.posts }}</td></tr>
<tr><th>WARC-records {{ 'in het pakket' if s.fmt == 'transfer' else 'in WACZ' }}</th><td>{{ s.records }} ({{ '%.1f'|format(s.bytes / 1e6) }} MB)</td></tr>
<tr><th>Periode</th><td>{{ s.first or '—' }} – {{ s.last or '—' }}</td></tr>
{% for name, digest in s.checksums.items() %}<tr><th>SHA-256 {{ name }}</th><td><code>{{ digest }}</code></td></tr>{% endfor %}
</table>
<h2>Per platform</h2><table>{% for k, n in s.platforms.most_common() %}<tr><td>{{ k }}</td><td>{{ n }}</td></tr>{% endfor %}</table>
<h2>Per soort</h2><table>{% for k, n in s.kinds.most_common() %}<tr><td>{{ k }}</td><td>{{ n }}</td></tr>{% endfor %}</table>
<h2>Per bron</h2><table>{% for k, n in s.sources.most_common() %}<tr><td>{{ k }}</td><td>{{ n }}</td></tr>{% endfor %}</table>
<h2>Controle</h2><p>De bag volgt BagIt 1.0 (RFC 8493) met SHA-512- en SHA-256-manifesten; controleer met
<code>bagit.py --validate</code> of <code>archiveren verify-export PAD</code>. Elk record heeft een
MDTO-informatieobject in <code>metadata/</code>;
{% if s.fmt == 'transfer' %}de vastgelegde bytes staan ongecomprimeerd in <code>warcs/</code> (WARC/1.1, ten hoogste 1 GB per bestand),
elk vastgelegd bestand en elk WARC-bestand heeft een MDTO-bestand, en <code>conformance.html</code> zegt per verplicht punt
van de richtlijn en van MDTO of eraan is voldaan.{% else %}de vastgelegde bytes staan in de WACZ, die het MDTO-bestand beschrijft.{% endif %}</p>
</body></html>
"""


@dataclass
class ExportSummary:
    export_id: str
    user: str
    reason: str
    query: str
    filters: dict[str, list[str]]
    fmt: str
    created_at: datetime
    case: str = ""
    """The Woo case (zaak) the export was made for, by its number."""
    posts: int = 0
    records: int = 0
    bytes: int = 0
    first: str = ""
    last: str = ""
    platforms: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    checksums: dict[str, str] = field(default_factory=dict)

    def count(self, platform: str, kind: str, source: str, published: datetime | None) -> None:
        self.posts += 1
        self.platforms[platform] += 1
        self.kinds[kind] += 1
        self.sources[source] += 1
        if published is not None:
            day = published.date().isoformat()
            self.first = min(self.first or day, day)
            self.last = max(self.last, day)


def render_report(summary: ExportSummary) -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(TEMPLATE).render(s=summary)
