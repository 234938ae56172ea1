"""Reading CSV text that comes from outside (uploads, quota files, census shares): a row
the csv module cannot parse (a stray carriage return, a field over its size limit) is a
``CsvError`` naming the file and row, for the caller to report in its own terms, rather
than a crash."""

import csv
import functools
import io


class CsvError(ValueError):
    """An unreadable CSV row, with the file and row in the message."""


class CsvRows:
    """``csv.DictReader`` over text, raising ``CsvError`` for unreadable rows.

    Example::

        rows = CsvRows(text, "replies.csv")
        columns = rows.fieldnames
        for number, row in enumerate(rows, start=2): ...
    """

    def __init__(self, text: str, name: str):
        self.name = name
        # newline="" lets the csv module see every line ending (\\r\\n, \\r, \\n) itself.
        self._reader = csv.DictReader(io.StringIO(text, newline=""))

    def _refuse(self, exc: csv.Error) -> CsvError:
        return CsvError(f"{self.name} row {self._reader.line_num}: unreadable CSV ({exc})")

    @property
    def fieldnames(self) -> list[str] | None:
        try:
            return self._reader.fieldnames
        except csv.Error as exc:
            raise self._refuse(exc) from None

    @fieldnames.setter
    def fieldnames(self, value: list[str]) -> None:
        self._reader.fieldnames = value

    def __iter__(self):
        rows = iter(self._reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                raise self._refuse(exc) from None
            yield row


def refused_as(error: type[Exception]):
    """Decorate a reader so that an unreadable row is raised as ``error`` (the reader's
    own kind of error: SortitionError, ValidationError, ...)."""

    def wrap(function):
        @functools.wraps(function)
        def reading(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except CsvError as exc:
                raise error(str(exc)) from None

        return reading

    return wrap
