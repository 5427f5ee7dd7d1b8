"""The trends page: what the catalogue holds, counted by year, topic, venue and author.

No Sphinx: :func:`trend_data` counts, :func:`trends_html` lays the counts out
as SVG charts (:mod:`roundup_kb.charts`), each followed by a table of the same
numbers.  Links go through a callable so the caller decides the URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from roundup_kb import charts, permalinks
from roundup_kb.catalogue import Catalogue, NameIndex
from roundup_kb.charts import Cell, Series, esc
from roundup_kb.model import Topic

#: names shown in the top venues and top authors charts
TOP = 15

#: (page kind, docname or name, anchor) -> URL relative to the trends page
Linker = Callable[[str, str], str]


@dataclass(frozen=True)
class TrendData:
    """The counts behind the trends page."""

    years: tuple[int, ...]
    issues_per_year: tuple[int, ...]
    #: (topic, entries per year in ``years``), in registry order
    topics: tuple[tuple[Topic, tuple[int, ...]], ...]
    #: (name index, entries), most featured first
    venues: tuple[NameIndex, ...]
    authors: tuple[NameIndex, ...]
    entries: int


def most_featured(indexes: dict[str, NameIndex], limit: int) -> tuple[NameIndex, ...]:
    """The ``limit`` names with the most entries; ties by slug (A-Z)."""
    ordered = sorted(indexes.values(), key=lambda n: (-len(n.entries), n.slug))
    return tuple(ordered[:limit])


def trend_data(catalogue: Catalogue, topics: Iterable[Topic], *, top: int = TOP) -> TrendData:
    """Count issues per year, entries per topic per year, and the most featured names."""
    issue_years = Counter(issue.meta.date.year for issue in catalogue.issues)
    entry_years = {entry.date.year for entry in catalogue.entries.values()}
    known = issue_years.keys() | entry_years
    years = tuple(range(min(known), max(known) + 1)) if known else ()
    per_topic = []
    for topic in topics:
        counted = Counter(entry.date.year for entry in catalogue.by_topic.get(topic.slug, ()))
        per_topic.append((topic, tuple(counted[year] for year in years)))
    return TrendData(
        years=years,
        issues_per_year=tuple(issue_years[year] for year in years),
        topics=tuple(per_topic),
        venues=most_featured(catalogue.venues, top),
        authors=most_featured(catalogue.authors, top),
        entries=len(catalogue.entries),
    )


def _section(ident: str, heading: str, intro: str, chart: str, table: str) -> str:
    return (
        f'<section id="{ident}"><h2>{esc(heading)}'
        f'<a class="headerlink" href="#{ident}" title="Link to this heading">#</a></h2>'
        f"<p>{esc(intro)}</p>"
        f'<figure class="roundup-chart-figure">{chart}</figure>{table}</section>'
    )


def trends_html(data: TrendData, link: Linker, *, title: str = "Trends") -> str:
    """The body of the trends page.

    ``link(docname, anchor)`` gives the URL of a page (and anchor) from the
    trends page: topic pages, and the author and venue permalinks.
    """
    years = [str(year) for year in data.years]
    issues = sum(data.issues_per_year)
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "")
    out = [
        f'<section id="trends"><h1>{esc(title)}'
        f'<a class="headerlink" href="#trends" title="Link to this heading">#</a></h1>',
        f"<p>{data.entries} entries from {issues} issues"
        + (f", {esc(span)}" if span else "")
        + ". Every chart has a table of its numbers below it.</p>",
    ]
    out.append(
        _section(
            "issues-per-year",
            "Issues per year",
            "How many issues of the newsletter came out each year.",
            charts.column_chart(
                "chart-issues-per-year",
                "Issues per year",
                ", ".join(f"{y}: {n}" for y, n in zip(years, data.issues_per_year, strict=True))
                or "No issues yet.",
                list(zip(years, data.issues_per_year, strict=True)),
            ),
            charts.data_table(
                "Issues per year",
                ["Year", "Issues"],
                [[year, count] for year, count in zip(years, data.issues_per_year, strict=True)],
            ),
        )
    )
    biggest = max((max(c, default=0) for _, c in data.topics), default=0)
    out.append(
        _section(
            "entries-per-topic",
            "Entries per topic per year",
            "One small chart per topic, all on the same scale; "
            "each marks its busiest year's count.",
            charts.small_multiples(
                "chart-entries-per-topic",
                "Entries per topic per year",
                f"{len(data.topics)} topics from {years[0] if years else ''} to "
                f"{years[-1] if years else ''}; the largest yearly count is {biggest}. "
                + "; ".join(f"{t.title}: {sum(c)} entries" for t, c in data.topics),
                years,
                [Series(topic.title, counts) for topic, counts in data.topics],
            ),
            charts.data_table(
                "Entries per topic per year",
                ["Topic", *years, "Total"],
                [
                    [
                        Cell(topic.title, link(permalinks.topic_docname(topic.slug), "")),
                        *counts,
                        sum(counts),
                    ]
                    for topic, counts in data.topics
                ],
            ),
        )
    )
    for ident, heading, names, docname, anchor in (
        (
            "top-venues",
            "Most featured venues",
            data.venues,
            permalinks.venue_docname,
            permalinks.anchor_for_venue,
        ),
        (
            "top-authors",
            "Most featured authors",
            data.authors,
            permalinks.author_docname,
            permalinks.anchor_for_person,
        ),
    ):
        kind = heading.rpartition(" ")[2]
        rows = [(n.name, len(n.entries)) for n in names]
        out.append(
            _section(
                ident,
                heading,
                f"The {len(rows)} {kind} with the most entries.",
                charts.bar_chart(
                    f"chart-{ident}",
                    heading,
                    "; ".join(f"{name}: {count}" for name, count in rows) or f"No {kind} yet.",
                    rows,
                ),
                charts.data_table(
                    heading,
                    [kind.capitalize()[:-1], "Entries"],
                    [
                        [Cell(n.name, link(docname(n.name), anchor(n.slug))), len(n.entries)]
                        for n in names
                    ],
                ),
            )
        )
    out.append("</section>")
    return "\n".join(out)
