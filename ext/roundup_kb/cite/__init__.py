"""Citation formats: BibTeX, RIS, CSL-JSON and formatted references for entries and issues.

An entry is cited as the page it links to (title, authors, venue, URL), dated by
the issue that featured it, with a note pointing at its permalink; an issue is
cited as an edited newsletter number.  One module per format; what they share
(notes, keys, dates, name splitting, field cleaning) lives in
:mod:`~roundup_kb.cite.featured` and :mod:`~roundup_kb.cite.persons`.  Pure
functions over the model: nothing here imports Sphinx, and citeproc-py is only
imported, when installed, to render a formatted reference.

All field text is first passed through :func:`~roundup_kb.cite.featured.clean_field`
(one line, single spaces, no control characters); each format then keeps that
text exactly: BibTeX through :func:`~roundup_kb.cite.latex.latex_to_text` after
pybtex parses it, RIS and CSL-JSON as written.
"""

from roundup_kb.cite.bibtex import bibliography, bibtex_name, entry_bibtex, issue_bibtex
from roundup_kb.cite.csl import csl_items, csl_name, entry_csl, issue_csl
from roundup_kb.cite.featured import (
    EDITOR,
    NEWSLETTER,
    clean_field,
    clean_url,
    featured_note,
    issue_key,
    issue_title,
)
from roundup_kb.cite.latex import latex_escape, latex_to_text
from roundup_kb.cite.persons import PersonName, split_authors, split_name
from roundup_kb.cite.reference import (
    builtin_reference,
    builtin_references,
    formatted_reference,
    formatted_references,
)
from roundup_kb.cite.ris import entry_ris, issue_ris, ris_file

__all__ = [
    "EDITOR",
    "NEWSLETTER",
    "PersonName",
    "bibliography",
    "bibtex_name",
    "builtin_reference",
    "builtin_references",
    "clean_field",
    "clean_url",
    "csl_items",
    "csl_name",
    "entry_bibtex",
    "entry_csl",
    "entry_ris",
    "featured_note",
    "formatted_reference",
    "formatted_references",
    "issue_bibtex",
    "issue_csl",
    "issue_key",
    "issue_ris",
    "issue_title",
    "latex_escape",
    "latex_to_text",
    "ris_file",
    "split_authors",
    "split_name",
]
