"""Sphinx's ``HighlightLanguageTransform`` in one quick pass over the page.

When each page is written, Sphinx's post-transform gives every code block the
highlight language in force where it stands (``highlight_language``, or the last
``highlight`` directive before it).  It does so with a ``NodeVisitor`` that
visits and departs every node of the page: the slowest post-transform of a
newsletter build, whose pages hold thousands of nodes and few or no code
blocks.

:class:`QuickHighlightLanguage` gives the same result.  Without
``start_of_file`` nodes (which only the LaTeX, texinfo and single-page builders
put into a tree) the visitor's stack never holds more than the page's own
setting, so the pass just walks the code blocks and ``highlight`` nodes in
document order.  Trees with ``start_of_file`` nodes take Sphinx's own path.
"""

from __future__ import annotations

import sys
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms.code import HighlightLanguageTransform, HighlightSetting

_RELEVANT = (nodes.literal_block, addnodes.highlightlang, addnodes.start_of_file)


def _relevant(node: nodes.Node) -> bool:
    return isinstance(node, _RELEVANT)


class QuickHighlightLanguage(HighlightLanguageTransform):
    """:class:`HighlightLanguageTransform`, with one ``findall`` instead of a visitor."""

    def apply(self, **kwargs: Any) -> None:
        found = list(self.document.findall(_relevant))
        if any(isinstance(node, addnodes.start_of_file) for node in found):
            super().apply(**kwargs)
            return
        setting = HighlightSetting(self.config.highlight_language, False, sys.maxsize)
        for node in found:
            if isinstance(node, addnodes.highlightlang):
                setting = HighlightSetting(node["lang"], node["force"], node["linenothreshold"])
                continue
            # as HighlightLanguageVisitor.visit_literal_block
            if "language" not in node:
                node["language"] = setting.language
                node["force"] = setting.force
            if "linenos" not in node:
                lines = node.astext().count("\n")
                node["linenos"] = lines >= setting.lineno_threshold - 1
        for node in found:
            if isinstance(node, addnodes.highlightlang):
                node.parent.remove(node)


def setup(app: Sphinx) -> None:
    # Sphinx's registry keeps its post-transforms in a list; if a later Sphinx keeps
    # them otherwise, its own transform simply stays
    transforms = getattr(app.registry, "post_transforms", None)
    if isinstance(transforms, list) and HighlightLanguageTransform in transforms:
        transforms[transforms.index(HighlightLanguageTransform)] = QuickHighlightLanguage
