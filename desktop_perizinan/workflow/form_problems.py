"""What the loader reports: one problem with file, line and fix; the error that carries
them; the result of loading a whole forms folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_perizinan.errors import UserError
from desktop_perizinan.workflow.definition import OfficeConfig, PermitType


@dataclass(frozen=True)
class FormProblem:
    """One mistake in one file: where it is, what is wrong, how to fix it (all in Indonesian).

    ``line`` is 1-based; 0 means the file as a whole (a key that is missing, a file that
    cannot be read).
    """

    file: str
    line: int
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file} baris {self.line}" if self.line > 0 else self.file
        text = f"{where}: {self.message}"
        return f"{text}. Perbaikan: {self.fix}" if self.fix else text


class FormFileError(UserError):
    """A form file that cannot be used; ``problems`` lists every mistake found in it."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        self.problems: list[FormProblem] = list(problems)
        if not self.problems:
            summary = "berkas formulir tidak dapat dipakai"
        elif len(self.problems) == 1:
            summary = str(self.problems[0])
        else:
            summary = f"{self.problems[0]} (dan {len(self.problems) - 1} masalah lain)"
        super().__init__(summary)


@dataclass
class FormSet:
    """Everything a forms folder yields: the office, the permit types that are usable, and
    the problems of the files that are not (or not entirely)."""

    office: OfficeConfig | None
    types: dict[str, PermitType] = field(default_factory=dict)
    problems: list[FormProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
