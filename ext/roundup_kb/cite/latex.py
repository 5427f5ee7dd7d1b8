r"""LaTeX text for BibTeX fields: escape any text, and read the escaped text back.

BibTeX counts every brace, escaped or not, so ``\{`` cannot stand for a literal
brace: a title with one unmatched ``{`` would unbalance the whole entry.  Literal
braces, backslashes and the other TeX specials therefore become text commands,
and the only braces in an escaped field are the groups the writer adds itself::

    \  \textbackslash{}     {  \textbraceleft{}    }  \textbraceright{}
    ~  \textasciitilde{}    ^  \textasciicircum{}
    <  \textless{}          >  \textgreater{}      |  \textbar{}
    %  \%    &  \&    $  \$    #  \#    _  \_

``<``, ``>`` and ``|`` would print as other glyphs in LaTeX's default font
encoding.  TeX's input ligatures (``--``, ``---``, two backquotes, two quotes,
``,,``, ``?``` and ``!```) are broken with ``{}`` so that "--help" stays two hyphens.
Non-ASCII text is kept as UTF-8: biber, pybtex and LaTeX read it as is.

:func:`latex_to_text` is the exact inverse: for every ``text``,
``latex_to_text(latex_escape(text)) == text``, and grouping braces added around
escaped text are dropped.
"""

from __future__ import annotations

import re

#: character → LaTeX; commands end with ``{}`` so that a following letter or space is kept
ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_TRANSLATION = str.maketrans(ESCAPES)
_COMMANDS = {value[1:-2]: char for char, value in ESCAPES.items() if value.endswith("{}")}
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=,)(?=,)|(?<=[?!])(?=`)")
_TOKEN = re.compile(r"\\([A-Za-z]+)\{\}|\\([%&$#_])|[{}]|\\")


def latex_escape(text: str) -> str:
    """``text`` as LaTeX text that BibTeX and LaTeX read back as the same characters."""
    return _LIGATURE.sub("{}", text.translate(_TRANSLATION))


def latex_to_text(latex: str) -> str:
    """Decode what :func:`latex_escape` writes, dropping grouping braces.

    Raises :class:`ValueError` on any other TeX command: this reads this module's
    output (as returned by a BibTeX parser such as pybtex), not LaTeX in general.
    """

    def decode(match: re.Match[str]) -> str:
        command, special = match.group(1), match.group(2)
        if special:
            return special
        if command is not None:
            if command not in _COMMANDS:
                raise ValueError(f"unknown TeX command \\{command}{{}} in {latex!r}")
            return _COMMANDS[command]
        if match.group(0) == "\\":
            raise ValueError(f"stray backslash in {latex!r}")
        return ""  # a grouping brace

    return _TOKEN.sub(decode, latex)
