"""The one error the analysis engine raises for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """Input the engine cannot analyse, with the place of the problem.

    ``str(e)`` reads like ``file 'run1.csv', row 17, column 'VCD': 'abc' is not a number``.
    ``row`` is the row number a spreadsheet shows (the header is row 1, the first data row is
    row 2). ``file``, ``row`` and ``column`` are optional; ``problem`` says what is wrong and,
    where possible, what to do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = str(problem)
        self.file = file
        self.row = None if row is None else int(row)
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file '{self.file}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.problem, self.file, self.row, self.column))

    def in_file(self, file: str) -> InputError:
        """The same error, naming ``file`` (unless it already names one)."""
        if self.file is not None:
            return self
        return type(self)(self.problem, file=file, row=self.row, column=self.column)


def _rebuild(problem: str, file: str | None, row: int | None, column: str | None) -> InputError:
    return InputError(problem, file=file, row=row, column=column)
