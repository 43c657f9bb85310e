"""The one error the analysis engine raises for bad input."""

from __future__ import annotations

from collections.abc import Callable, Mapping


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (the engine has no Django);
    the web translates it with gettext when it shows the error (:meth:`InputError.localized`)."""
    return message


class Message:
    """A message template with its parameters, rendered in English by ``str()`` and in the
    user's language by :meth:`render` with gettext; parameters may be Messages themselves."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params

    def render(self, translate: Callable[[str], str] = N_) -> str:
        return _render(self.template, self.params, translate)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.render()!r})"


def _render(
    template: str, params: Mapping[str, object] | None, translate: Callable[[str], str]
) -> str:
    if params is None:
        return translate(template) or template
    values = {k: v.render(translate) if isinstance(v, Message) else v for k, v in params.items()}
    try:
        return translate(template) % values
    except (KeyError, TypeError, ValueError):  # a broken translation: keep the English text
        return template % values


_FILE = N_("file '%(file)s'")
_ROW = N_("row %(row)s")
_COLUMN = N_("column '%(column)s'")


class InputError(ValueError):
    """Input the engine cannot analyse, with the place of the problem.

    ``str(e)`` reads like ``file 'run1.csv', row 17, column 'VCD': 'abc' is not a number``.
    ``row`` is the row number a spreadsheet shows (the header is row 1, the first data row is
    row 2). ``file``, ``row`` and ``column`` are optional; ``problem`` says what is wrong and,
    where possible, what to do about it. With ``params``, ``problem`` is a message template
    (``"'%(value)s' is not a number"``) marked with :func:`N_`, so that
    :meth:`localized` can translate it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = str(problem)
        self.params = dict(params) if params is not None else None
        self.problem = _render(self.template, self.params, N_)
        self.file = file
        self.row = None if row is None else int(row)
        self.column = column
        super().__init__(self._message())

    def _message(self, translate: Callable[[str], str] = N_) -> str:
        where = []
        if self.file is not None:
            where.append(_render(_FILE, {"file": self.file}, translate))
        if self.row is not None:
            where.append(_render(_ROW, {"row": self.row}, translate))
        if self.column is not None:
            where.append(_render(_COLUMN, {"column": self.column}, translate))
        problem = (
            self.problem if translate is N_ else _render(self.template, self.params, translate)
        )
        return f"{', '.join(where)}: {problem}" if where else problem

    def localized(self, translate: Callable[[str], str]) -> str:
        """The message with its template and place translated by ``translate`` (gettext)."""
        return self._message(translate)

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.template, self.file, self.row, self.column, self.params))

    def in_file(self, file: str) -> InputError:
        """The same error, naming ``file`` (unless it already names one)."""
        if self.file is not None:
            return self
        return self.at(file=file)

    def at(
        self, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> InputError:
        """The same error with the given place filled in where it was unknown."""
        return type(self)(
            self.template,
            file=self.file if self.file is not None else file,
            row=self.row if self.row is not None else row,
            column=self.column if self.column is not None else column,
            params=self.params,
        )


def _rebuild(
    problem: str,
    file: str | None,
    row: int | None,
    column: str | None,
    params: Mapping[str, object] | None = None,
) -> InputError:
    return InputError(problem, file=file, row=row, column=column, params=params)
