"""What every FHIR search shares: only the parameters it knows (an unknown or unsupported
one is refused with a 400 OperationOutcome naming it, or, with ``Prefer:
handling=lenient``, ignored and reported in the Bundle), paging that a client can follow
to the end and get every match once, and the searchset Bundle whose links show only what
was applied.

Paging is by key, not by position: a page is "the next ``_count`` after the last one
shown" (``_page_after``), so records added or removed while a client pages never make it
skip or repeat one. ``_count`` above the server's maximum is capped, as the specification
allows; ``_summary=count`` answers the total alone.
"""

from urllib.parse import urlencode

from django.db.models import QuerySet

from joinedup.people import access

from .. import resources as R
from ._common import DEFAULT_COUNT, MAX_COUNT, FhirError, _base, _membership, _patient_id

# Parameters every search understands: paging, the total alone, and the format.
CONTROL = frozenset({"_count", "_summary", "_format", "_page_after", "_page_before", "_page"})


def _lenient(request) -> bool:
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower()
    return "handling=lenient" in prefer.split(";") or "handling=lenient" in prefer.split(",")


class Search:
    """One search request. ``known`` are the parameter names it applies (with their
    modifiers, e.g. ``family:exact``)."""

    def __init__(self, request, *known: str):
        self.request = request
        self.applied: list[tuple[str, str]] = []
        self.ignored: list[str] = []
        lenient = _lenient(request)
        for name, values in request.GET.lists():
            if name in CONTROL:
                continue
            if name in known:
                self.applied += [(name, v) for v in values]
            elif lenient:
                self.ignored.append(name)
            else:
                kind = (
                    "modifier"
                    if ":" in name and name.split(":")[0] in {k.split(":")[0] for k in known}
                    else "parameter"
                )
                raise FhirError(
                    400,
                    "not-supported",
                    f"Unknown or unsupported search {kind}: {name} (this search supports "
                    f"{', '.join(sorted(known)) or 'no parameters'}, and _count)",
                    name,
                )
        self.count = self._count()
        self.summary_count = request.GET.get("_summary") == "count"
        if request.GET.get("_summary") not in (None, "count", "false"):
            self._unsupported("_summary", "only _summary=count is supported")
        self.after = self._key("_page_after")
        self.before = self._key("_page_before")
        self.last = request.GET.get("_page") == "last"

    def person(self, reference: str | None, kind: str) -> int | None:
        """The person a search of their own records is about (``patient`` or ``subject``;
        400 without one), or None when the caller may not open them: the search then
        finds nothing, as for someone who does not exist."""
        person_id = _patient_id(reference)
        if person_id is None:
            raise FhirError(400, "invalid", f"Search {kind} by patient", "patient")
        if access.access_basis(_membership(self.request), person_id) is None:
            return None
        return person_id

    def _unsupported(self, name: str, why: str) -> None:
        if _lenient(self.request):
            self.ignored.append(name)
        else:
            raise FhirError(400, "not-supported", f"{name}: {why}", name)

    def _count(self) -> int:
        text = self.request.GET.get("_count")
        if text is None:
            return DEFAULT_COUNT
        if not text.isdecimal():
            raise FhirError(400, "invalid", "_count must be a whole number", "_count")
        return min(int(text), MAX_COUNT)  # capped, not refused

    def _key(self, name: str) -> int | None:
        text = self.request.GET.get(name)
        if text is None:
            return None
        if not text.isdecimal() or len(text) > 18:
            raise FhirError(400, "invalid", f"{name} is a page marker from a link", name)
        return int(text)

    def page(self, rows: QuerySet, *, descending: bool = False) -> tuple[list, int]:
        """This page of ``rows`` in a stable order (by id), and the total. One row more than
        the page is read to know whether there is a next (or, going back, a previous) page;
        the other side is asked only when the page has a marker (the first page has nothing
        before it, the last nothing after)."""
        total = rows.count()
        if self.summary_count or self.count == 0:
            self.first_key = self.last_key = None
            return [], total
        order = "-pk" if descending else "pk"
        reverse = "pk" if descending else "-pk"
        newer, older = ("pk__lt", "pk__gt") if descending else ("pk__gt", "pk__lt")
        if self.before is not None or self.last:
            backwards = rows.filter(**{older: self.before}) if self.before is not None else rows
            found = list(backwards.order_by(reverse)[: self.count + 1])
            self.more_before = len(found) > self.count
            found = found[: self.count][::-1]
            self.more_after = (
                bool(found) and not self.last and rows.filter(**{newer: found[-1].pk}).exists()
            )
        else:
            forwards = rows.filter(**{newer: self.after}) if self.after is not None else rows
            found = list(forwards.order_by(order)[: self.count + 1])
            self.more_after = len(found) > self.count
            found = found[: self.count]
            self.more_before = (
                bool(found)
                and self.after is not None
                and rows.filter(**{older: found[0].pk}).exists()
            )
        self.first_key = found[0].pk if found else None
        self.last_key = found[-1].pk if found else None
        return found, total

    def page_list(self, items: list) -> tuple[list, int]:
        """The same for a short list worked out in Python (a person's conditions...):
        every item on one page unless ``_count`` is smaller."""
        self.first_key = self.last_key = None
        self.more_after = self.more_before = False
        if self.summary_count:
            return [], len(items)
        return items[: self.count], len(items)

    def listed(self, items: list[dict]) -> dict:
        """The Bundle of a short list (``page_list``)."""
        found, total = self.page_list(items)
        return self.bundle(found, total=total)

    def _url(self, **marker) -> str:
        path = self.request.build_absolute_uri(self.request.path)
        query = [*self.applied, ("_count", str(self.count))]
        if self.summary_count:
            query.append(("_summary", "count"))
        query += [(k, str(v)) for k, v in marker.items()]
        return f"{path}?{urlencode(query)}"

    def bundle(self, matches: list[dict], includes: list[dict] = (), *, total: int) -> dict:
        seen, entries = set(), []
        for resource, mode in [(r, "match") for r in matches] + [(r, "include") for r in includes]:
            key = (resource["resourceType"], resource["id"])
            if key not in seen:
                seen.add(key)
                entries.append((resource, mode))
        marker = {}
        if self.after is not None:
            marker = {"_page_after": self.after}
        elif self.before is not None:
            marker = {"_page_before": self.before}
        elif self.last:
            marker = {"_page": "last"}
        result = R.bundle(entries, _base(self.request), self._url(**marker), total)
        links = result["link"]
        links.append({"relation": "first", "url": self._url()})
        if getattr(self, "more_before", False):
            links.append({"relation": "previous", "url": self._url(_page_before=self.first_key)})
        if getattr(self, "more_after", False):
            links.append({"relation": "next", "url": self._url(_page_after=self.last_key)})
        links.append({"relation": "last", "url": self._url(_page="last")})
        if self.summary_count:
            result.pop("entry", None)
        if self.ignored:
            result.setdefault("entry", []).append(
                {
                    "resource": {
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {
                                "severity": "warning",
                                "code": "not-supported",
                                "diagnostics": f"Ignored (Prefer: handling=lenient): {name}",
                                "expression": [name],
                            }
                            for name in self.ignored
                        ],
                    },
                    "search": {"mode": "outcome"},
                }
            )
        return result
