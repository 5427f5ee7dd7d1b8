"""Sphinx's ``smartquotes`` transform, with the faster educator of the pre-render.

Sphinx's :class:`~sphinx.transforms.SphinxSmartQuotes` runs docutils'
:func:`~docutils.utils.smartquotes.educate_tokens` over the text of every
paragraph, title and list item of every page, and replaces each text node by a
new one whether its text changed or not.  :class:`FastSmartQuotes` makes the same
decisions in the same order -- which nodes, which language, which warnings -- but
educates with :func:`roundup_kb.prerender.educate`, which runs each of docutils'
steps only on text that holds a character the step changes (and hands actions
other than Sphinx's default ``qDe`` to docutils), and leaves unchanged text nodes
in place.  The pages come out the same; over the corpus's 206 pages the transform
took 0.23 to 0.35 s instead of 0.40 to 0.53 s (three full builds of each).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.utils import normalize_language_tag, smartquotes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxSmartQuotes

from roundup_kb.prerender import educate


class FastSmartQuotes(SphinxSmartQuotes):
    """:class:`~sphinx.transforms.SphinxSmartQuotes`, educating with :func:`educate`."""

    def apply(self, **kwargs: Any) -> None:
        if not self.is_available():
            return
        settings = self.document.settings
        smart_quotes = settings.setdefault("smart_quotes", False)
        if not smart_quotes:
            return
        # the rest is docutils' SmartQuotes.apply, but for the educator and the
        # replacement of unchanged text
        action = self.config.smartquotes_action
        alternative = isinstance(smart_quotes, str) and smart_quotes.startswith("alt")
        document_language = settings.language_code
        if settings.smartquotes_locales:
            smartquotes.smartchars.quotes.update(dict(settings.smartquotes_locales))
        unsupported: set[str] = set()
        for node in self.document.findall(nodes.TextElement):
            if isinstance(node, self.nodes_to_skip) or isinstance(node.parent, nodes.TextElement):
                continue
            texts = [
                text
                for text in node.findall(nodes.Text)
                if not isinstance(text.parent, nodes.option_string)
            ]
            lang = node.get_language_code(document_language)
            if alternative:
                if "-x-altquot" in lang:
                    lang = lang.replace("-x-altquot", "")
                else:
                    lang += "-x-altquot"
            for tag in normalize_language_tag(lang):
                if tag in smartquotes.smartchars.quotes:
                    lang = tag
                    break
            else:  # no quotes for this language: keep ASCII quotes
                if lang not in unsupported:
                    self.document.reporter.warning(
                        f'No smart quotes defined for language "{lang}".', base_node=node
                    )
                unsupported.add(lang)
                lang = ""
            educated_texts = educate(self.get_tokens(texts), action, lang)
            for text, educated in zip(texts, educated_texts, strict=True):
                if educated != text:
                    text.parent.replace(text, nodes.Text(educated))


def use_fast_smartquotes(app: Sphinx) -> None:
    """Put :class:`FastSmartQuotes` where Sphinx registered its own transform.

    Left alone if another extension has already replaced Sphinx's.
    """
    transforms = app.registry.transforms
    if SphinxSmartQuotes in transforms:
        transforms[transforms.index(SphinxSmartQuotes)] = FastSmartQuotes


def setup(app: Sphinx) -> None:
    use_fast_smartquotes(app)
