"""Care programmes' cohort rules: who each programme is for, as configuration that the
population engine runs (DuckDB, and Spark with the same SQL).

A rule is JSON. Its parts:

- ``{"all": [rule, ...]}``, ``{"any": [rule, ...]}``, ``{"not": rule}``;
- ``{"cohort": true}``: in the place's 3+ long-term conditions cohort (its own rule);
- ``{"conditions": {"at_least": 2, "at_most": 2}}``: how many long-term conditions count;
- ``{"condition": ["smi"]}``: on any of these registers;
- ``{"age": {"at_least": 18}}``, ``{"frailty": ["moderate", "severe"]}``,
  ``{"imd_quintile": [1]}``, ``{"ethnicity_group": ["Black"]}``;
- ``{"hospital": {"admissions_at_least": 1, "ae_at_least": 2}}``: in the last 12 months;
- ``{"risk": {"at_least": 0.2}}``: the risk of an emergency admission in the next 12
  months by the active model (``population.risk``; never true without one);
- ``{"recorded": {"codelist": "bmi", "within_months": 12}}``: a code of the list recorded
  (ever, without ``within_months``);
- ``{"measured": {"codelist": "bp_systolic", "at_least": 140, "times": 2,
  "within_months": 12}}``: values of the list in range (``at_least``, ``at_most``, both
  inclusive) on at least ``times`` different days in the window; with ``"latest": true``,
  the latest value in the window is in range instead;
- ``{"core20plus": true}``: the most deprived 20% nationally (IMD quintile 1) or one of the
  place's PLUS groups (a rule of its own, in the place's settings).

A window of N months is the N months up to and including the run's date: a code recorded
exactly N months before is outside it. ``evaluate`` is the same rule in plain Python, the
reference the engines are tested against at every boundary.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

DEFINITIONS = Path(__file__).resolve().parent / "data" / "programmes.json"
LOGIC = ("all", "any", "not")
ATOMS = (
    "cohort", "conditions", "condition", "age", "frailty", "imd_quintile", "ethnicity_group",
    "hospital", "recorded", "measured", "core20plus", "risk",
)  # fmt: skip
EVENT_ATOMS = ("recorded", "measured")


@dataclass(frozen=True)
class Programme:
    key: str
    label: str
    description: str
    rule: dict
    # The codelists its rule reads (each must be imported).
    codelists: tuple[str, ...] = field(default=())
    # Being in it says one of these conditions is on the record (a sensitive one, e.g.
    # severe mental illness, makes the programme as sensitive as the condition).
    conditions: tuple[str, ...] = field(default=())


def _conditions_named(rule) -> set[str]:
    ((kind, value),) = rule.items()
    if kind in ("all", "any"):
        return set().union(*(_conditions_named(r) for r in value))
    if kind == "not":
        return set()  # "not on a register" says nothing a programme member has
    return set(value) if kind == "condition" else set()


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{where}: {value!r} is not a number")
    return float(value)


def check_rule(rule, where: str = "rule", *, conditions=(), bands=()) -> set[str]:
    """Raise ValidationError naming the part of ``rule`` that is wrong; return the codelist
    slugs it uses."""
    if not isinstance(rule, dict) or len(rule) != 1:
        raise ValidationError(f"{where}: a rule is an object with one key ({', '.join(ATOMS)})")
    ((kind, value),) = rule.items()
    here = f"{where}.{kind}"
    if kind in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ValidationError(f"{here}: give a list of rules")
        return set().union(
            *(
                check_rule(r, f"{here}[{i}]", conditions=conditions, bands=bands)
                for i, r in enumerate(value)
            )
        )
    if kind == "not":
        return check_rule(value, here, conditions=conditions, bands=bands)
    if kind in ("cohort", "core20plus"):
        if value is not True:
            raise ValidationError(f"{here}: must be true")
        return set()
    if kind in ("conditions", "age", "risk"):
        _range(value, here)
        return set()
    if kind == "hospital":
        if (
            not isinstance(value, dict)
            or not value
            or (set(value) - {"admissions_at_least", "ae_at_least"})
        ):
            raise ValidationError(f"{here}: give admissions_at_least and/or ae_at_least")
        for k, v in value.items():
            _number(v, f"{here}.{k}")
        return set()
    if kind in ("condition", "frailty", "imd_quintile", "ethnicity_group"):
        if not isinstance(value, list) or not value:
            raise ValidationError(f"{here}: give a list")
        known = {"condition": conditions, "frailty": bands}.get(kind)
        if known:
            unknown = [v for v in value if v not in known]
            if unknown:
                raise ValidationError(f"{here}: unknown {', '.join(map(str, unknown))}")
        if kind == "imd_quintile" and any(v not in (1, 2, 3, 4, 5) for v in value):
            raise ValidationError(f"{here}: quintiles are 1 (most deprived) to 5")
        return set()
    if kind in EVENT_ATOMS:
        allowed = {"codelist", "within_months"}
        if kind == "measured":
            allowed |= {"at_least", "at_most", "times", "latest"}
        if not isinstance(value, dict) or set(value) - allowed or "codelist" not in value:
            raise ValidationError(f"{here}: give codelist and any of {', '.join(sorted(allowed))}")
        if "within_months" in value:
            months = value["within_months"]
            if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 240:
                raise ValidationError(f"{here}.within_months: a whole number of months, 1 to 240")
        if kind == "measured":
            if "at_least" not in value and "at_most" not in value:
                raise ValidationError(f"{here}: give at_least and/or at_most")
            for k in ("at_least", "at_most"):
                if k in value:
                    _number(value[k], f"{here}.{k}")
            times = value.get("times", 1)
            if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                raise ValidationError(f"{here}.times: a whole number, 1 or more")
            if value.get("latest") and times != 1:
                raise ValidationError(f"{here}: latest and times cannot go together")
        return {_slug(value["codelist"])}
    raise ValidationError(f"{here}: unknown part (one of {', '.join(LOGIC + ATOMS)})")


def _range(value, where: str) -> None:
    if not isinstance(value, dict) or not value or set(value) - {"at_least", "at_most"}:
        raise ValidationError(f"{where}: give at_least and/or at_most")
    for k, v in value.items():
        _number(v, f"{where}.{k}")


def load_programmes(path: Path | None = None) -> tuple[Programme, ...]:
    from .config import load_config

    config = load_config()
    conditions = set(config.condition_keys)
    bands = {name for name, _ in config.efi_bands}
    path = path or DEFINITIONS
    data = json.loads(path.read_text(encoding="utf-8"))
    programmes = []
    for i, entry in enumerate(data["programmes"]):
        where = f"{path.name}: programmes[{i}]"
        for key in ("key", "label", "rule"):
            if key not in entry:
                raise ValidationError(f"{where}: missing {key}")
        slugs = check_rule(entry["rule"], f"{where}.rule", conditions=conditions, bands=bands)
        programmes.append(
            Programme(
                key=entry["key"],
                label=entry["label"],
                description=entry.get("description", ""),
                rule=entry["rule"],
                codelists=tuple(sorted(slugs)),
                conditions=tuple(sorted(_conditions_named(entry["rule"]))),
            )
        )
    keys = [p.key for p in programmes]
    if len(set(keys)) != len(keys):
        raise ValidationError(f"{path.name}: programme keys must be unique")
    return tuple(programmes)


@lru_cache(maxsize=1)
def shipped_programmes() -> tuple[Programme, ...]:
    """The shipped definitions, read once a process (the person summary shows them)."""
    return load_programmes()


def programme_labels(keys, *, show_sensitive: bool = True) -> tuple[list[str], int]:
    """The labels of these programme keys, and how many were withheld because being in
    them says a sensitive condition is on the record."""
    from .config import load_config

    sensitive = {c.key for c in load_config().conditions if c.sensitive}
    by_key = {p.key: p for p in shipped_programmes()}
    shown, withheld = [], 0
    for key in keys:
        programme = by_key.get(key)
        if programme is None:
            continue
        if not show_sensitive and sensitive & set(programme.conditions):
            withheld += 1
        else:
            shown.append(programme.label)
    return shown, withheld


# ---------------------------------------------------------------------------------------
# The engines' SQL (DuckDB dialect; Spark's through SQLGlot)


def _in_window(value: dict, as_of: str) -> str:
    months = value.get("within_months")
    window = f"e.date <= DATE '{as_of}'"
    if months:
        window += f" AND e.date > DATE '{as_of}' - INTERVAL {int(months)} MONTH"
    return window


def _value_range(value: dict, column: str) -> str:
    parts = []
    if "at_least" in value:
        parts.append(f"{column} >= {float(value['at_least'])!r}")
    if "at_most" in value:
        parts.append(f"{column} <= {float(value['at_most'])!r}")
    return " AND ".join(parts)


def atom_sql(kind: str, value: dict, as_of: str) -> str:
    """The people for whom one event atom holds: a query of ``person_id`` over ``events``
    and ``programme_codes`` (slug, code)."""
    codes = (
        f"FROM events e JOIN programme_codes c ON c.code = e.code AND e.system = 'snomed' "
        f"AND c.slug = '{_slug(value['codelist'])}' WHERE {_in_window(value, as_of)}"
    )
    if kind == "recorded":
        return f"SELECT DISTINCT e.person_id AS person_id {codes}"
    if value.get("latest"):
        return (
            "SELECT person_id FROM (SELECT e.person_id, e.value, row_number() OVER "
            f"(PARTITION BY e.person_id ORDER BY e.date DESC, e.value DESC) AS n {codes} "
            f"AND e.value IS NOT NULL) latest WHERE n = 1 AND {_value_range(value, 'value')}"
        )
    return (
        f"SELECT e.person_id AS person_id {codes} AND {_value_range(value, 'e.value')} "
        f"GROUP BY e.person_id HAVING count(DISTINCT e.date) >= {int(value.get('times', 1))}"
    )


def _slug(slug) -> str:
    if not isinstance(slug, str) or not slug.replace("_", "").replace("-", "").isalnum():
        raise ValidationError(f"codelist '{slug}': letters, digits, - and _ only")
    return slug


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class Compiler:
    """Turns rules into boolean SQL over one row ``r`` of ``flags``: the profile's columns
    and a column per event atom (``atom_N``), whose queries ``atoms`` lists."""

    def __init__(self, as_of: str, plus_rules: dict[str, dict] | None = None):
        self.as_of = as_of
        self.plus_rules = plus_rules or {}
        self.atoms: list[str] = []
        self._seen: dict[str, int] = {}

    def atom(self, kind: str, value: dict) -> str:
        query = atom_sql(kind, value, self.as_of)
        if query not in self._seen:
            self._seen[query] = len(self.atoms)
            self.atoms.append(query)
        return f"atom_{self._seen[query]}"

    def expression(self, rule: dict) -> str:
        ((kind, value),) = rule.items()
        if kind == "all":
            return "(" + " AND ".join(self.expression(r) for r in value) + ")"
        if kind == "any":
            return "(" + " OR ".join(self.expression(r) for r in value) + ")"
        if kind == "not":
            return f"(NOT {self.expression(value)})"
        if kind == "cohort":
            return "r.multimorbid"
        if kind == "conditions":
            return "(" + _value_range(value, "r.ltc_count") + ")"
        if kind == "age":
            return "(" + _value_range(value, "r.age") + ")"
        if kind == "risk":
            return "(r.risk_score IS NOT NULL AND " + _value_range(value, "r.risk_score") + ")"
        if kind == "condition":
            return (
                "(" + " OR ".join(f"list_contains(r.conditions, {_quote(c)})" for c in value) + ")"
            )
        if kind == "frailty":
            return f"(r.efi_band IN ({', '.join(map(_quote, value))}))"
        if kind == "imd_quintile":
            return f"(coalesce(r.imd_quintile, 0) IN ({', '.join(str(int(q)) for q in value)}))"
        if kind == "ethnicity_group":
            return f"(r.ethnicity_group IN ({', '.join(map(_quote, value))}))"
        if kind == "hospital":
            parts = []
            if "admissions_at_least" in value:
                parts.append(f"r.admissions_12m >= {float(value['admissions_at_least'])!r}")
            if "ae_at_least" in value:
                parts.append(f"r.ae_12m >= {float(value['ae_at_least'])!r}")
            return "(" + " AND ".join(parts) + ")"
        if kind in EVENT_ATOMS:
            return f"coalesce(r.{self.atom(kind, value)}, FALSE)"
        if kind == "core20plus":
            plus = [
                f"WHEN {_quote(place)} THEN {self.expression(rule) if rule else 'FALSE'}"
                for place, rule in sorted(self.plus_rules.items())
                if place
            ]
            default = self.plus_rules.get("")
            otherwise = self.expression(default) if default else "FALSE"
            groups = f"CASE r.place {' '.join(plus)} ELSE {otherwise} END" if plus else otherwise
            return f"(coalesce(r.imd_quintile, 0) = 1 OR {groups})"
        raise ValidationError(f"unknown rule part {kind}")


def programmes_sql(programmes, as_of: str, plus_rules: dict | None = None) -> tuple:
    """Three steps: the atom queries (each to be made a table ``atom_N`` of person ids);
    the query of ``flags`` (each row of ``results`` with a column per atom, from one
    aggregate of them all, so an engine joins once, not once per atom and programme); and
    the query that gives every row of ``results`` its programmes (a sorted list of keys)
    and whether they are in Core20PLUS (the most deprived fifth, or their place's PLUS
    groups)."""
    compiler = Compiler(as_of, plus_rules)
    core20plus = compiler.expression({"core20plus": True})
    tests = [(p.key, compiler.expression(p.rule)) for p in programmes]
    atoms = range(len(compiler.atoms))
    if compiler.atoms:
        hits = " UNION ALL ".join(f"SELECT person_id, {i} AS atom FROM atom_{i}" for i in atoms)
        pivot = ", ".join(f"bool_or(atom = {i}) AS atom_{i}" for i in atoms)
        columns = "".join(f", h.atom_{i}" for i in atoms)
        flags = (
            f"SELECT p.*{columns} FROM results p LEFT JOIN "
            f"(SELECT person_id, {pivot} FROM ({hits}) a GROUP BY person_id) h "
            "ON h.person_id = p.person_id"
        )
    else:
        flags = "SELECT * FROM results"
    if not tests:  # no programmes (a test of the registers alone): Core20PLUS only
        return (
            compiler.atoms,
            flags,
            (
                f"SELECT p.*, CAST(NULL AS VARCHAR[]) AS programmes, {core20plus} AS core20plus "
                "FROM results p JOIN flags r ON r.person_id = p.person_id"
            ),
        )
    unions = " UNION ALL ".join(
        f"SELECT r.person_id, {_quote(key)} AS programme FROM flags r WHERE {test}"
        for key, test in tests
    )
    query = f"""
    WITH member AS ({unions}),
    listed AS (
        SELECT person_id, list_sort(list(programme)) AS programmes FROM member
        GROUP BY person_id
    )
    SELECT p.*, l.programmes, {core20plus} AS core20plus
    FROM results p
    JOIN flags r ON r.person_id = p.person_id
    LEFT JOIN listed l ON l.person_id = p.person_id
    """
    return compiler.atoms, flags, query


def codes_rows(programmes, codelists: dict[str, list[int]]) -> list[tuple[str, int]]:
    missing = sorted({s for p in programmes for s in p.codelists} - set(codelists))
    if missing:
        raise ValueError(
            f"Codelists not imported: {', '.join(missing)} (run `joinedup codelists import`)"
        )
    return sorted({(s, int(c)) for p in programmes for s in p.codelists for c in codelists[s]})


# ---------------------------------------------------------------------------------------
# The same rule in plain Python: the reference the engines are tested against


@dataclass
class Person:
    """What a rule reads of one person: their profile, and their coded events as
    ``(codelist slug, date, value)``."""

    multimorbid: bool = False
    ltc_count: int = 0
    conditions: tuple[str, ...] = ()
    age: int = 0
    efi_band: str = ""
    imd_quintile: int | None = None
    ethnicity_group: str = ""
    admissions_12m: int = 0
    ae_12m: int = 0
    risk_score: float | None = None
    place: str = ""
    events: list[tuple[str, date, float | None]] = field(default_factory=list)


def _within(day: date, value: dict, as_of: date) -> bool:
    months = value.get("within_months")
    return day <= as_of and (not months or day > as_of - relativedelta(months=months))


def _in_range(x, value: dict) -> bool:
    return x is not None and (
        ("at_least" not in value or x >= value["at_least"])
        and ("at_most" not in value or x <= value["at_most"])
    )


def evaluate(rule: dict, person: Person, as_of: date, plus_rules: dict | None = None) -> bool:
    ((kind, value),) = rule.items()
    plus_rules = plus_rules or {}
    again = lambda r: evaluate(r, person, as_of, plus_rules)  # noqa: E731
    if kind == "all":
        return all(again(r) for r in value)
    if kind == "any":
        return any(again(r) for r in value)
    if kind == "not":
        return not again(value)
    if kind == "cohort":
        return person.multimorbid
    if kind == "conditions":
        return _in_range(person.ltc_count, value)
    if kind == "age":
        return _in_range(person.age, value)
    if kind == "risk":
        return _in_range(person.risk_score, value)
    if kind == "condition":
        return any(c in person.conditions for c in value)
    if kind == "frailty":
        return person.efi_band in value
    if kind == "imd_quintile":
        return person.imd_quintile in value
    if kind == "ethnicity_group":
        return person.ethnicity_group in value
    if kind == "hospital":
        return person.admissions_12m >= value.get("admissions_at_least", 0) and (
            person.ae_12m >= value.get("ae_at_least", 0)
        )
    if kind == "core20plus":
        plus = plus_rules.get(person.place, plus_rules.get(""))
        return person.imd_quintile == 1 or (plus is not None and again(plus))
    found = [
        (day, x)
        for slug, day, x in person.events
        if slug == value["codelist"] and _within(day, value, as_of)
    ]
    if kind == "recorded":
        return bool(found)
    if value.get("latest"):
        valued = [(day, x) for day, x in found if x is not None]
        return bool(valued) and _in_range(max(valued)[1], value)
    days = {day for day, x in found if _in_range(x, value)}
    return len(days) >= value.get("times", 1)
