"""Loading the registered population (``joinedup people load``): a practice registration
file (CSV) or FHIR R4 Patient resources (UK Core), streamed in chunks, into the person
index.

- A person is found by NHS number: new people are added, changed details are updated
  and kept as a version (``LoadChange``), the same file twice changes nothing.
- A row with an invalid NHS number (Modulus 11), an impossible date (in the future, a
  death before birth, not a date) or no name, sex or known practice is quarantined: kept
  out, and named with its row and field in the report. The rest of the file loads.
- An unknown or malformed postcode is kept as recorded and flagged (``postcode_problem``);
  it is never a reason to drop a registration.
- A death or a deregistration ends what should end with it: carers' and contacts'
  relationships, the practice's access, and whatever other apps registered with
  ``register_departure`` (care closes the caseload entry).
- A broken file (wrong columns, not UTF-8, unreadable CSV or JSON) changes nothing.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from nhs_number import is_valid as nhs_number_is_valid

from joinedup.core.actions import normalise_postcode
from joinedup.core.loading import Columns, Load, Problem, csv_rows, keep_load, refuse
from joinedup.core.models import LoadRun, Organisation, OrganisationType, Postcode, User

from .coding import NHS_ETHNIC_CATEGORY, nhs_number_status
from .models import Ethnicity, Person, Relationship, Sex
from .validation import search_form

CHUNK = 5000
COLUMNS = Columns(
    (
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "address",
        "practice",
    ),
    (
        "registered_on",
        "deregistered_on",
        "date_of_death",
        "ethnicity",
        "language",
        "interpreter_needed",
        "nhs_number_status",
    ),
    aliases={
        "birth_date": "date_of_birth",
        "dob": "date_of_birth",
        "forename": "given_name",
        "first_name": "given_name",
        "surname": "family_name",
        "last_name": "family_name",
        "gp_practice": "practice",
        "practice_code": "practice",
        "gender": "sex",
        "preferred_language": "language",
        "nhs_number_status_indicator": "nhs_number_status",
        "nhs_number_verification_status": "nhs_number_status",
    },
)
SEXES = {
    "f": Sex.FEMALE, "female": Sex.FEMALE, "2": Sex.FEMALE,
    "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
    "i": Sex.INDETERMINATE, "indeterminate": Sex.INDETERMINATE, "other": Sex.INDETERMINATE,
    "9": Sex.INDETERMINATE, "u": Sex.UNKNOWN, "unknown": Sex.UNKNOWN, "0": Sex.UNKNOWN,
    "not known": Sex.UNKNOWN,
}  # fmt: skip
ETHNICITIES = frozenset(Ethnicity.values)
YES = {"y", "yes", "true", "1"}
NO = {"", "n", "no", "false", "0"}
# The fields a registration file keeps (compared to find what changed).
LOADED = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "postcode_problem",
    "lsoa_id",
    "registered_practice_id",
    "registered_on",
    "deregistered_on",
    "date_of_death",
    "ethnicity",
    "preferred_language",
    "interpreter_needed",
    "nhs_number_status",
)

# Other apps' part in someone's death or leaving (care closes their caseload entry):
# handler(by, person_ids, reason) with reason "died" or "moved_away".
Departure = Callable[[User | None, list[int], str], None]
_DEPARTURES: list[Departure] = []


def register_departure(handler: Departure) -> None:
    if handler not in _DEPARTURES:
        _DEPARTURES.append(handler)


# ---------------------------------------------------------------------------------------
# Reading rows: CSV, or FHIR Patient resources made into the same rows

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"


def _patient_row(patient: dict) -> dict[str, str]:
    """A FHIR R4 Patient (UK Core) as a registration row."""
    if patient.get("resourceType") != "Patient":
        raise ValueError(f"a {patient.get('resourceType') or 'resource'}, not a Patient")
    numbers = [i for i in patient.get("identifier", []) if i.get("system") == NHS_NUMBER_SYSTEM]
    number = numbers[0].get("value", "") if numbers else ""
    status = ""
    for extension in numbers[0].get("extension", []) if numbers else []:
        if extension.get("url", "").endswith("Extension-UKCore-NHSNumberVerificationStatus"):
            codings = (extension.get("valueCodeableConcept") or {}).get("coding") or [{}]
            status = codings[0].get("code", "")
    names = patient.get("name") or [{}]
    name = next((n for n in names if n.get("use") == "official"), names[0])
    addresses = patient.get("address") or [{}]
    address = next((a for a in addresses if a.get("use") == "home"), addresses[0])
    practice = ""
    for gp in patient.get("generalPractitioner", []):
        identifier = gp.get("identifier") or {}
        if identifier.get("system") == ODS_SYSTEM:
            practice = identifier.get("value", "")
    ethnicity = language = ""
    interpreter = "no"
    for extension in patient.get("extension", []):
        if extension.get("url", "").endswith("interpreterRequired") and extension.get(
            "valueBoolean"
        ):
            interpreter = "yes"
        if extension.get("url", "").endswith("Extension-UKCore-EthnicCategory"):
            codings = (extension.get("valueCodeableConcept") or {}).get("coding") or [{}]
            ethnicity = codings[0].get("code", "")
    for communication in patient.get("communication", []):
        codings = (communication.get("language") or {}).get("coding") or [{}]
        if communication.get("preferred") or not language:
            language = codings[0].get("display") or codings[0].get("code", "")
        for extension in communication.get("extension", []):
            for inner in extension.get("extension", [extension]):
                if inner.get("url", "").endswith("interpreterRequired") and inner.get(
                    "valueBoolean"
                ):
                    interpreter = "yes"
    death = patient.get("deceasedDateTime", "")[:10]
    return {
        "nhs_number": number,
        "given_name": " ".join(name.get("given", [])),
        "family_name": name.get("family", ""),
        "date_of_birth": patient.get("birthDate", ""),
        "sex": patient.get("gender", ""),
        "postcode": address.get("postalCode", ""),
        "address": ", ".join([*address.get("line", []), address.get("city", "")]).strip(", "),
        "practice": practice,
        "date_of_death": death,
        "ethnicity": ethnicity,
        "language": language,
        "interpreter_needed": interpreter,
        "nhs_number_status": status,
    }


def fhir_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(resource number, row or the reason it cannot be read) for a Bundle, a JSON array
    of Patients, or NDJSON (one Patient per line, read as a stream)."""
    with path.open(encoding="utf-8-sig") as f:
        try:
            first = f.read(1)
            while first.isspace():
                first = f.read(1)
            if first == "[" or (first == "{" and not _is_ndjson(path)):
                document = json.loads(first + f.read())
                resources = (
                    [e.get("resource", {}) for e in document.get("entry", [])]
                    if isinstance(document, dict) and document.get("resourceType") == "Bundle"
                    else document
                    if isinstance(document, list)
                    else [document]
                )
                for number, resource in enumerate(resources, start=1):
                    yield number, _row_or_reason(resource)
                return
            for number, line in enumerate([first + f.readline(), *f], start=1):
                if line.strip():
                    try:
                        yield number, _row_or_reason(json.loads(line))
                    except json.JSONDecodeError as exc:
                        yield number, f"not valid JSON ({exc.msg})"
        except UnicodeDecodeError as exc:
            raise refuse(path.name, "not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise refuse(
                path.name, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc


def _is_ndjson(path: Path) -> bool:
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        first = f.readline().strip()
    try:
        return isinstance(json.loads(first), dict) and first.endswith("}")
    except json.JSONDecodeError:
        return False


def _row_or_reason(resource) -> dict[str, str] | str:
    if not isinstance(resource, dict):
        return "not a FHIR resource"
    try:
        return _patient_row(resource)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        return f"not a Patient that can be read ({exc})"


# ---------------------------------------------------------------------------------------
# Checking a row


@dataclass
class _Lookups:
    practices: dict[str, int]  # ODS code or name (casefolded) → id
    postcodes: dict[str, int]  # postcode → LSOA id
    today: date


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(value[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{value[:20]}' is not a date (YYYY-MM-DD)")


def _clean(row: dict[str, str], lookups: _Lookups) -> tuple[dict, list[tuple[str, str]]]:
    """The person's fields from a row, or the problems that quarantine it."""
    problems: list[tuple[str, str]] = []
    number = "".join(ch for ch in row.get("nhs_number", "") if not ch.isspace() and ch != "-")
    if not (len(number) == 10 and number.isdecimal() and nhs_number_is_valid(number)):
        problems.append(("nhs_number", f"'{number[:14]}' is not a valid NHS number"))
    given, family = row.get("given_name", "")[:100], row.get("family_name", "")[:100]
    if not given:
        problems.append(("given_name", "no given name"))
    if not family:
        problems.append(("family_name", "no family name"))
    dates = {}
    for column in ("date_of_birth", "registered_on", "deregistered_on", "date_of_death"):
        try:
            dates[column] = _date(row.get(column, ""))
        except ValueError as exc:
            problems.append((column, str(exc)))
            continue
        if dates[column] and dates[column] > lookups.today:
            problems.append((column, f"{dates[column]} is in the future"))
    born = dates.get("date_of_birth")
    if born is None and "date_of_birth" not in {p[0] for p in problems}:
        problems.append(("date_of_birth", "no date of birth"))
    elif born and born.year < lookups.today.year - 125:
        problems.append(("date_of_birth", f"{born} is more than 125 years ago"))
    for column in ("date_of_death", "registered_on", "deregistered_on"):
        if born and dates.get(column) and dates[column] < born:
            problems.append((column, f"{dates[column]} is before the date of birth"))
    sex = SEXES.get(row.get("sex", "").strip().casefold())
    if sex is None:
        problems.append(
            ("sex", f"'{row.get('sex', '')[:20]}' is not female, male, indeterminate or unknown")
        )
    practice_id = lookups.practices.get(row.get("practice", "").strip().casefold())
    if practice_id is None:
        problems.append(
            (
                "practice",
                f"no GP practice '{row.get('practice', '')[:60]}': load organisations first",
            )
        )
    ethnicity = row.get("ethnicity", "").strip()
    if ethnicity:
        ethnicity = NHS_ETHNIC_CATEGORY.get(ethnicity.upper(), ethnicity.upper())
        if ethnicity not in ETHNICITIES:
            labels = {label.casefold(): v for v, label in Ethnicity.choices}
            ethnicity = labels.get(row["ethnicity"].strip().casefold(), "")
            if not ethnicity:
                problems.append(
                    (
                        "ethnicity",
                        f"'{row['ethnicity'][:40]}' is not an ethnic category (an NHS code A–Z "
                        "or a 2021 Census group)",
                    )
                )
    interpreter = row.get("interpreter_needed", "").strip().casefold()
    if interpreter not in YES | NO:
        problems.append(("interpreter_needed", f"'{interpreter[:10]}' is not yes or no"))
    status = nhs_number_status(row.get("nhs_number_status", ""))
    if status is None:
        problems.append(
            (
                "nhs_number_status",
                f"'{row['nhs_number_status'][:20]}' is not an NHS number status (01 to 08)",
            )
        )
    if problems:
        return {}, problems
    raw_postcode = row.get("postcode", "").strip()
    postcode, postcode_problem, lsoa_id = "", "", None
    if raw_postcode:
        try:
            postcode = normalise_postcode(raw_postcode)
        except ValidationError:
            postcode, postcode_problem = raw_postcode.upper()[:16], "malformed"
        else:
            lsoa_id = lookups.postcodes.get(postcode)
            postcode_problem = "" if lsoa_id else "unknown"
    parts = [p.strip() for p in row.get("address", "").split(",") if p.strip()]
    town = parts.pop() if len(parts) > 1 else ""
    deregistered = dates.get("deregistered_on")
    died = dates.get("date_of_death")
    return {
        "nhs_number": number,
        "given_name": given,
        "family_name": family,
        "birth_date": born,
        "sex": sex,
        "address_line1": (parts[0] if parts else "")[:200],
        "address_line2": ", ".join(parts[1:])[:200],
        "town": town[:100],
        "postcode": postcode,
        "postcode_problem": postcode_problem,
        "lsoa_id": lsoa_id,
        # Someone deregistered (or dead) is no longer the practice's: its access ends.
        "registered_practice_id": None if (deregistered or died) else practice_id,
        "registered_on": dates.get("registered_on"),
        "deregistered_on": deregistered,
        "date_of_death": died,
        "ethnicity": ethnicity or Ethnicity.NOT_STATED,
        "preferred_language": (row.get("language", "").strip() or "English")[:60],
        "interpreter_needed": interpreter in YES,
        "nhs_number_status": status,
    }, []


# ---------------------------------------------------------------------------------------
# Loading


def _shown(value) -> str:
    return "" if value is None else str(value)


class _Report:
    """Every quarantined row, written to a CSV report as it is found."""

    def __init__(self, load: Load):
        folder = Path(settings.DATA_DIR) / "loads"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        self.path = folder / f"{stamp}-{load.path.stem}-quarantine.csv"
        self._file = self.path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["file", "row", "field", "reason"])
        self.kept: list[Problem] = []
        self.name = load.path.name

    def add(self, row: int, field: str, reason: str) -> None:
        self._writer.writerow([self.name, row, field, reason])
        if len(self.kept) < 1000:
            self.kept.append(Problem(row, field, reason))

    def close(self, count: int) -> Path | None:
        self._file.close()
        if not count:
            self.path.unlink()
            return None
        return self.path


@dataclass
class PeopleLoad:
    run: LoadRun
    report: Path | None  # the quarantined rows, when there were any
    seconds: float


def load_people(
    *,
    by: User | None,
    path: Path | str,
    file_format: str = "",
    progress: Callable[[int], None] | None = None,
) -> PeopleLoad:
    """Load a registration file (CSV, or FHIR Patients when ``file_format`` is "fhir" or
    the file ends .json/.ndjson). All in one transaction: a file that breaks half-way
    changes nothing."""
    from time import perf_counter

    started = perf_counter()
    load = Load("people", Path(path), by)
    is_fhir = file_format == "fhir" or load.path.suffix.lower() in (".json", ".ndjson")
    practices: dict[str, int] = {}
    for pk, code, name in Organisation.objects.filter(
        type=OrganisationType.GP_PRACTICE
    ).values_list("pk", "ods_code", "name"):
        practices[name.casefold()] = pk
        if code:
            practices[code.casefold()] = pk
    lookups = _Lookups(
        practices=practices,
        postcodes=dict(Postcode.objects.values_list("postcode", "lsoa_id")),
        today=timezone.localdate(),
    )
    report = _Report(load)
    try:
        with transaction.atomic():
            rows = fhir_rows(load.path) if is_fhir else csv_rows(load.path, COLUMNS)
            seen: dict[int, int] = {}
            batch: list[tuple[int, dict]] = []
            for line, row in rows:
                load.counts["rows"] += 1
                if isinstance(row, str):
                    report.add(line, "", row)
                    load.counts["quarantined"] += 1
                    continue
                values, problems = _clean(row, lookups)
                if not problems:
                    earlier = seen.setdefault(int(values["nhs_number"]), line)
                    if earlier != line:
                        problems = [("nhs_number", f"the same NHS number as row {earlier}")]
                if problems:
                    for column, reason in problems:
                        report.add(line, column, reason)
                    load.counts["quarantined"] += 1
                    continue
                batch.append((line, values))
                if len(batch) >= CHUNK:
                    _save(load, batch)
                    batch = []
                    if progress:
                        progress(load.counts["rows"])
            _save(load, batch)
            if progress:
                progress(load.counts["rows"])
            run = keep_load(load, "people.load", problems=report.kept)
    finally:
        path_of_report = report.close(load.counts["quarantined"])
    return PeopleLoad(run=run, report=path_of_report, seconds=perf_counter() - started)


def _insert(rows: list[dict]) -> None:
    """Add new people with one INSERT per thousand (the ORM's bulk_create spends most of
    a large load preparing values one at a time); every other column takes its default."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    given = set(rows[0])
    constant = {
        f.attname: f.get_db_prep_save(
            now if f.attname in ("created_at", "updated_at") else f.get_default(), connection
        )
        for f in fields
        if f.attname not in given
    }
    dates = {f.attname for f in fields if f.get_internal_type() == "DateField"}
    adapt = connection.ops.adapt_datefield_value
    columns = [f.attname for f in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names are ours)
        connection.ops.quote_name(Person._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(
                sql,
                [
                    [
                        (adapt(row[c]) if c in dates else row[c]) if c in row else constant[c]
                        for c in columns
                    ]
                    for row in rows[start : start + 1000]
                ],
            )


def _save(load: Load, batch: list[tuple[int, dict]]) -> None:
    """Add the new people of a chunk and update the changed ones."""
    if not batch:
        return
    numbers = [values["nhs_number"] for _, values in batch]
    existing = {
        p.nhs_number: p
        for p in Person.objects.filter(nhs_number__in=numbers).only(
            "nhs_number", *(f.removesuffix("_id") for f in LOADED)
        )
    }
    new, changed, fields, departed = [], [], set(), {"died": [], "moved_away": []}
    for _, values in batch:
        person = existing.get(values["nhs_number"])
        if person is None:
            values["search_family_name"] = search_form(values["family_name"])
            values["search_given_name"] = search_form(values["given_name"])
            new.append(values)
            continue
        changes = {
            name: [_shown(getattr(person, name)), _shown(values[name])]
            for name in LOADED
            if getattr(person, name) != values[name]
        }
        if not changes:
            load.counts["unchanged"] += 1
            continue
        if "date_of_death" in changes and person.date_of_death is None:
            departed["died"].append(person.pk)
        elif "deregistered_on" in changes and person.deregistered_on is None:
            departed["moved_away"].append(person.pk)
        for name in changes:
            setattr(person, name, values[name])
        person.search_family_name = search_form(person.family_name)
        person.search_given_name = search_form(person.given_name)
        fields.update(changes)
        changed.append(person)
        ended = person.pk in departed["died"] or person.pk in departed["moved_away"]
        load.changed(person.pk, "ended" if ended else "updated", changes)
    _insert(new)
    load.counts["created"] += len(new)
    if changed:
        Person.objects.bulk_update(
            changed,
            [f.removesuffix("_id") for f in fields] + ["search_family_name", "search_given_name"],
            batch_size=1000,
        )
    now = timezone.now()
    for reason, ids in departed.items():
        if not ids:
            continue
        Relationship.objects.filter(person_id__in=ids, ended_at__isnull=True).update(ended_at=now)
        for handler in _DEPARTURES:
            handler(load.by, ids, reason)
