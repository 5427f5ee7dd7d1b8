"""The ``roundup`` domain: the single owner of everything collected from issue pages.

Data is keyed by docname, as in ``sphinx.ext.todo``, so that purging a document
(``clear_doc``) and merging the results of parallel readers (``merge_domaindata``)
are one dictionary operation each; incremental and ``-j N`` builds stay correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

from roundup_kb.model import IssueMeta

#: bump when the shape of the domain data changes, so old pickles are discarded
ENV_VERSION = 1


class RoundupDomain(Domain):
    """Issues (and, later, entries) collected from the pages that hold them."""

    name = "roundup"
    label = "Newsletter knowledge base"
    initial_data: dict[str, Any] = {  # noqa: RUF012 - Sphinx's API shape
        # docname -> IssueMeta
        "issues": {},
        # docname -> set of aggregate kinds the page shows (e.g. {"issues"})
        "aggregates": {},
    }
    data_version = ENV_VERSION

    @property
    def issues(self) -> dict[str, IssueMeta]:
        return self.data["issues"]

    @property
    def aggregates(self) -> dict[str, set[str]]:
        return self.data["aggregates"]

    def clear_doc(self, docname: str) -> None:
        self.issues.pop(docname, None)
        self.aggregates.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in ("issues", "aggregates"):
            mine, theirs = self.data[key], otherdata[key]
            for docname in docnames:
                if docname in theirs:
                    mine[docname] = theirs[docname]

    def note_aggregate(self, docname: str, kind: str) -> None:
        """Record that ``docname`` shows data gathered from ``kind`` pages."""
        self.aggregates.setdefault(docname, set()).add(kind)

    def pages_showing(self, kind: str) -> set[str]:
        return {doc for doc, kinds in self.aggregates.items() if kind in kinds}

    def issues_by_number(self) -> list[tuple[str, IssueMeta]]:
        """(docname, meta) pairs, oldest issue first."""
        return sorted(self.issues.items(), key=lambda item: (item[1].number, item[0]))

    def neighbours(self, docname: str) -> tuple[str | None, str | None]:
        """The docnames of the previous and next issue by number."""
        order = [doc for doc, _ in self.issues_by_number()]
        try:
            index = order.index(docname)
        except ValueError:
            return None, None
        before = order[index - 1] if index > 0 else None
        after = order[index + 1] if index + 1 < len(order) else None
        return before, after

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []


def get_domain(env: BuildEnvironment) -> RoundupDomain:
    return env.domains["roundup"]  # type: ignore[return-value]


def issue_docnames(env: BuildEnvironment, docnames: Iterable[str]) -> set[str]:
    prefix = env.config.roundup_issues_dir.strip("/") + "/"
    return {doc for doc in docnames if doc.startswith(prefix)}


def _outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Pages whose generated content depends on issues that were added, changed or removed.

    Runs before removed documents are purged, so the domain still knows them.
    """
    touched = issue_docnames(env, added | changed | removed)
    if not touched:
        return []
    dom = get_domain(env)
    outdated = dom.pages_showing("issues")
    # Adding or removing an issue changes the previous/next links of its
    # neighbours.  Docnames sort in issue order (NNNN), so the neighbours in the
    # union of old and new issue pages are the ones to refresh.
    if added or removed:
        pages = sorted(issue_docnames(env, set(dom.issues) | env.found_docs))
        for doc in issue_docnames(env, added | removed):
            if doc in pages:
                index = pages.index(doc)
                outdated.update(pages[max(index - 1, 0) : index + 2])
    return sorted(outdated - removed)


def setup(app: Sphinx) -> None:
    app.add_domain(RoundupDomain)
    app.connect("env-get-outdated", _outdated)
