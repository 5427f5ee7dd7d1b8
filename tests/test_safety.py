"""Safe mode: hostile issue pages are caught with their lines and neutralized."""

from __future__ import annotations

import textwrap

import pytest

from roundup_kb import safety


def findings(body: str, front_matter: dict | None = None):
    return safety.check(textwrap.dedent(body), body_line=1, front_matter=front_matter)


HOSTILE = {
    "script tag": ("Hi <script>alert(1)</script> there\n", "raw HTML <script>"),
    "script block": ("<script>\nalert(1)\n</script>\n", "raw HTML <script>"),
    "event handler": ('<a href="https://x.org" onclick="steal()">x</a>\n', "'onclick'"),
    "img onerror": ("text <img src=x onerror=alert(1)>\n", "raw HTML <img>"),
    "iframe": ('<iframe src="https://evil.example"></iframe>\n', "raw HTML <iframe>"),
    "include": ("```{include} /etc/passwd\n```\n", "directive 'include'"),
    "colon include": (":::{include} /etc/passwd\n:::\n", "directive 'include'"),
    "literalinclude": ("```{literalinclude} ../../secrets.py\n```\n", "'literalinclude'"),
    "raw": ("```{raw} html\n<script>x</script>\n```\n", "directive 'raw'"),
    "eval-rst": ("```{eval-rst}\n.. include:: /etc/passwd\n```\n", "'eval-rst'"),
    "csv-table file": ("```{csv-table}\n:file: /etc/passwd\n```\n", "directive 'csv-table'"),
    "nested include": ("```{note}\n```{include} /etc/passwd\n```\n```\n", "'include'"),
    "image outside": ("```{image} /etc/hosts\n```\n", "outside the repository"),
    "image escape": ("![x](../../../etc/passwd)\n", "is not allowed"),
    "javascript link": ("[click](javascript:alert(1))\n", "javascript:alert(1"),
    "data link": ("[click](data:text/html;base64,PHNjcmlwdD4=)\n", "data:text/html"),
    "javascript in html": ('<a href="javascript:alert(1)">x</a>\n', "javascript:alert(1)"),
    "download role": ("Get {download}`/etc/passwd`\n", "role 'download'"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_construct_is_found(name):
    body, expected = HOSTILE[name]
    found = findings(body)
    assert found, name
    assert any(expected in f.message for f in found), [f.message for f in found]
    assert all(f.line >= 1 and f.hint for f in found)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sanitized_page_is_clean_and_keeps_line_count(name):
    body, _ = HOSTILE[name]
    text = textwrap.dedent(body)
    clean = safety.sanitize(text, findings(text))
    assert clean.count("\n") == text.count("\n")
    assert safety.check(clean, 1) == []
    for live in ("<script", "<iframe", "<img", '<a href="javascript', "](javascript", "](data"):
        assert live not in clean


def test_corpus_style_html_is_allowed():
    body = """\
    [One](https://a.org) - A, B<br/>
    [Two](https://b.org) - C<br>
    And now, <a id="roundup">the roundup…</a> with <i>style</i> and H<sub>2</sub>O.

    <!-- markdownlint-disable -->
    <blockquote class="twitter-tweet"><p lang="en" dir="ltr">Hello
    <a href="https://twitter.com/x">@x</a></p></blockquote>

    <ul>
    <li>one</li>
    </ul>
    """
    assert findings(body) == []


def test_safe_directives_and_roles_are_allowed():
    body = """\
    ```{note}
    See {issue}`94` and {term}`one-on-one`.
    ```

    ```{image} https://example.org/a.png
    ```

    ![local](../docs/img.png)
    """
    # ../docs/img.png from issues/ escapes issues/ but is still written relative;
    # only paths that climb out of the repository root are refused.
    found = findings(body)
    assert [f.message for f in found] == ["URL '../docs/img.png' is not allowed"]


def test_front_matter_keys_are_limited_and_commented_out():
    text = '---\nnumber: 1\nmyst:\n  enable_extensions: ["substitution"]\ntitle: "#1"\n---\n\nHi\n'
    found = safety.check("\nHi\n", 7, {"number": 1, "myst": {}, "title": "#1"})
    assert [f.message for f in found] == ["front matter key 'myst' is not allowed in issue pages"]
    clean = safety.sanitize(text, found, front_matter_end=5)
    assert clean.splitlines()[2:4] == ["# myst:", '#   enable_extensions: ["substitution"]']
    assert 'title: "#1"' in clean


def test_problems_carry_path_line_and_code():
    found = findings("text\n\n<script>x</script>\n")
    problem = safety.problems(found, "issues/0001.md")[0]
    assert problem.format().startswith("issues/0001.md:3: error: raw HTML <script>")
    assert problem.type_code == "roundup.unsafe"
