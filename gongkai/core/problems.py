"""Problems are records, not strings: where (path, line), what (field, code)
and the values the message needs (params). The text comes from messages.py."""
from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.core.messages import format_problem

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: str                 # repository-relative path, e.g. content/policy/x.md
    line: int                 # 1-based; 1 when the field is missing
    field: str | None         # front-matter key (dotted for nested: review.date)
    code: str                 # stable code, a key of messages.MESSAGES
    params: dict = field(default_factory=dict, compare=False, hash=False)
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def files(self) -> tuple:
        """The files this problem is about: its own and, for a problem between
        two files (a duplicate number), the other one (params["other_file"]).
        make check FILES=… reports a problem when any of them is named."""
        other = self.params.get("other_file")
        return (self.path, other) if other else (self.path,)

    def __str__(self) -> str:  # one line, as staff read it
        return format_problem(self)


def sort_key(p: Problem):
    return (p.path, p.line, p.field or "", p.code)


def internal_error(path, exc) -> Problem:
    """Anything unexpected, as one line naming the file: never a traceback for staff."""
    return Problem(str(path), 1, None, "internal_error", {"detail": f"{type(exc).__name__}: {exc}"}, ERROR)
