"""Problems found in input: one record type shared by the CLI and the Sphinx adapter.

Every problem names its file and (where there is one) its line, has a type code in
the ``roundup.<subtype>`` form that Sphinx's ``suppress_warnings`` understands, and
a hint that tells the person who wrote the file how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roundup_kb.model import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in one input file."""

    #: subtype of the ``roundup`` warning type, e.g. ``unknown_topic``
    code: str
    #: what is wrong, one sentence
    message: str
    #: the file, as given by the caller (kept relative when it was relative)
    path: str | None = None
    #: 1-based line number in ``path``, when there is one
    line: int | None = None
    #: how to fix it
    hint: str | None = None
    #: ``error`` stops the command (non-zero exit); ``warning`` is reported
    severity: str = "error"

    @property
    def type_code(self) -> str:
        return f"roundup.{self.code}"

    @property
    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def format(self) -> str:
        """``file:line: error: message [roundup.code]`` plus an indented hint."""
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity}: {self.message} [{self.type_code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class RoundupError(Exception):
    """Raised with one or more :class:`Problem` records; nothing has been written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def display_path(path: str | Path) -> str:
    """A path as a person would type it: relative to the current directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
