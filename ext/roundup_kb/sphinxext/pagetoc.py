"""pydata-sphinx-theme's "On this page" list, made without BeautifulSoup.

The theme builds each page's table of contents for the secondary sidebar in
``generate_toc_html``: it parses the page's TOC HTML with BeautifulSoup, adds
Bootstrap classes, selects the headings with soupsieve, and serialises the tree
again, on every page (twice: once to find out whether the sidebar is empty, once
to render it).  For the 210 pages of the 126-issue corpus that took 0.43-0.60 s
of every full build, and soupsieve compiling its CSS grammar 0.19 s of every
build that writes a page, an edit of one issue included; this module makes the
same lists in 0.07-0.12 s.

:func:`page_toc_html` makes the same HTML with the standard library's
tokenizer: the same classes on the same elements, the same choice of what to
show (the title's sub-list when the page has one top-level heading, nothing
when that heading has no sections, every heading otherwise), written out as
BeautifulSoup writes HTML, so that the pages are the theme's byte for byte.
Soupsieve is still compiled by a build that writes a page with the left
sidebar (a topic page, say), whose toctree the theme makes as before.

The extension's ``templates/pydata/page-toc.html`` (the theme's template, calling
``roundup_page_toc()``) is found before the theme's; it is put there only when
``html_theme`` is pydata-sphinx-theme itself.  ``tests/test_pagetoc.py`` holds the
output to the theme's own function.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import Markup

#: the template directory holding ``page-toc.html``
TEMPLATES = Path(__file__).parent / "templates" / "pydata"
ASCII_SPACES = " \n\t\f\r"
#: elements without an end tag (BeautifulSoup's list for HTML)
VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "command",
        "embed",
        "frame",
        "hr",
        "image",
        "img",
        "input",
        "isindex",
        "keygen",
        "link",
        "menuitem",
        "meta",
        "nextid",
        "param",
        "source",
        "spacer",
        "track",
        "wbr",
    ]
)
#: attributes whose value is a list of words, written with one space between them
#: (BeautifulSoup's list for HTML; ``"*"``: on every element)
WORD_LISTS = {
    "*": {"accesskey", "class", "dropzone"},
    "a": {"rel", "rev"},
    "link": {"rel", "rev"},
    "td": {"headers"},
    "th": {"headers"},
    "form": {"accept-charset"},
    "object": {"archive"},
    "area": {"rel"},
    "icon": {"sizes"},
    "iframe": {"sandbox"},
    "output": {"for"},
}


_WORDS = {tag: WORD_LISTS["*"] | names for tag, names in WORD_LISTS.items()}


def _text(value: str) -> str:
    """Text as BeautifulSoup's "minimal" formatter writes it."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(name: str, value: str | None) -> str:
    """An attribute as BeautifulSoup writes it: single quotes around a value holding
    double ones, ``&quot;`` when it holds both kinds."""
    value = _text(value or "")
    if '"' not in value:
        return f'{name}="{value}"'
    if "'" not in value:
        return f"{name}='{value}'"
    return '{}="{}"'.format(name, value.replace('"', "&quot;"))


class _Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        # repeated attributes: the last one counts, in the place of the first
        self.attrs: dict[str, str | None] = {}
        words = _WORDS.get(tag, WORD_LISTS["*"])
        for name, value in attrs:
            self.attrs[name] = " ".join(value.split()) if value and name in words else value
        self.children: list[_Element | str] = []

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def add_classes(self, *names: str) -> None:
        self.attrs["class"] = " ".join([*self.classes(), *names])

    def child_elements(self, tag: str) -> list[_Element]:
        return [c for c in self.children if isinstance(c, _Element) and c.tag == tag]

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, _Element):
                yield child
                yield from child.iter()

    def find(self, tag: str) -> _Element | None:
        return next((e for e in self.iter() if e.tag == tag), None)

    def inner_html(self) -> str:
        return "".join(_text(c) if isinstance(c, str) else c.html() for c in self.children)

    def html(self) -> str:
        start = " ".join([self.tag, *(_attribute(k, v) for k, v in self.attrs.items())])
        if self.tag in VOID:
            return f"<{start}/>"
        return f"<{start}>{self.inner_html()}</{self.tag}>"


class _TreeBuilder(HTMLParser):
    """A lenient tree of the elements and their text, as BeautifulSoup's
    ``html.parser`` builder makes it: a run of text that is only ASCII white space
    becomes one space or one newline, except in ``pre`` and ``textarea``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("", [])
        self.stack = [self.root]
        self.data: list[str] = []

    def _end_data(self) -> None:
        if not self.data:
            return
        text = "".join(self.data)
        self.data = []
        if not text.strip(ASCII_SPACES) and not any(
            e.tag in ("pre", "textarea") for e in self.stack
        ):
            text = "\n" if "\n" in text else " "
        self.stack[-1].children.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._end_data()
        element = _Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._end_data()
        self.stack[-1].children.append(_Element(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._end_data()
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def close(self) -> None:
        super().close()
        self._end_data()


def _parse(markup: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def page_toc_html(toc: str, show_toc_level: int) -> str:
    """The theme's ``generate_toc_html()`` of the TOC HTML ``toc``, as a string.

    Empty when the theme would show no list: the page has one top-level heading
    and no section, or the list it chose has nothing in it.
    """
    root = _parse(toc)

    def add_levels(ul: _Element | None, level: int) -> None:
        if ul is None:
            return
        if level <= show_toc_level + 1:
            ul.add_classes("pst-show_toc_level")
        for li in ul.child_elements("li"):
            li.add_classes(f"toc-h{level}")
            add_levels(next(iter(li.child_elements("ul")), None), level + 1)

    add_levels(root.find("ul"), 1)
    elements = list(root.iter())
    for ul in (e for e in elements if e.tag == "ul"):
        ul.add_classes("nav", "section-nav", "flex-column")
    for li in (e for e in elements if e.tag == "li"):
        li.add_classes("nav-item", "toc-entry")
        link = li.find("a")
        if link is not None:
            link.add_classes("nav-link")

    titles = [e for e in elements if "toc-h1" in e.classes()]
    if len(titles) == 1:
        title = titles[0]
        if not any("toc-h2" in e.classes() for e in title.iter()):
            return ""
        chosen = title.find("ul")
        if chosen is None or not chosen.children:
            return ""
        return chosen.html()
    if not root.children:
        return ""
    return root.inner_html()


def add_page_toc(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Give the page's template ``roundup_page_toc()``, computed once per page."""
    made: list[Markup] = []

    def roundup_page_toc() -> Markup:
        if not made:
            toc = context.get("toc")
            level = int(context.get("theme_show_toc_level", 1))
            made.append(Markup(page_toc_html(toc, level) if toc else ""))
        return made[0]

    context["roundup_page_toc"] = roundup_page_toc


#: the themes whose ``page-toc.html`` the extension's takes the place of
THEMES = frozenset({"pydata_sphinx_theme"})


def _add_template(app: Any, config: Any) -> None:
    """Put ``page-toc.html`` where Jinja finds it before the theme's: ahead of the
    theme's ``components`` directory when the theme is loaded already (listed in
    ``extensions``), else last (the theme appends its directory when it is loaded).

    Only for pydata-sphinx-theme itself: another theme's template of that name
    (one built on pydata's included) is left to make its own list."""
    path = str(TEMPLATES)
    if getattr(config, "html_theme", None) not in THEMES or path in config.templates_path:
        return
    theme = next((i for i, p in enumerate(config.templates_path) if _is_theme_components(p)), None)
    if theme is None:
        config.templates_path.append(path)
    else:
        config.templates_path.insert(theme, path)


def _is_theme_components(path: str) -> bool:
    parts = Path(path).parts
    return parts[-3:] == ("theme", "pydata_sphinx_theme", "components")


def setup(app: Any) -> None:
    app.connect("config-inited", _add_template)
    app.connect("html-page-context", add_page_toc)
