"""Safe mode in the build: issue pages are checked and neutralized before MyST parses them.

Doing this on ``source-read`` (not on the parsed doctree) matters: by the time
a doctree exists, an ``include`` would already have read its file.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from roundup_kb import safety
from roundup_kb.frontmatter import split_front_matter
from roundup_kb.problems import RoundupError
from roundup_kb.sphinxext.domain import issue_docnames

logger = logging.getLogger(__name__)


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    if not app.config.roundup_safe_mode or not issue_docnames(app.env, [docname]):
        return
    text = source[0]
    try:
        fm = split_front_matter(text, docname)
        body, body_line, data, fm_end = fm.body, fm.body_line, fm.data, fm.body_line - 2
    except RoundupError:
        # the front matter is reported by the issue-page transform; check the rest
        body, body_line, data, fm_end = text, 1, {}, 0
    findings = safety.check(body, body_line, data)
    for finding in findings:
        logger.warning(
            f"{finding.message} ({finding.hint})",
            type="roundup",
            subtype="unsafe",
            location=(docname, finding.line),
        )
    if findings:
        source[0] = safety.sanitize(text, findings, front_matter_end=fm_end)


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_safe_mode", True, "env", types=[bool])
    app.connect("source-read", check_source)
