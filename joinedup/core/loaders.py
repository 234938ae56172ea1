"""Loading a partnership's reference data from its own files: its places, LSOAs,
organisations and staff (``joinedup places|lsoas|organisations|staff load``). Each loader
is all or nothing, names every bad row, and can be run again: the same file changes
nothing; a changed file updates what changed and keeps the history (``LoadChange``)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .actions import (
    add_membership,
    create_staff_user,
    normalise_postcode,
    record_audit,
    validate_ods_code,
)
from .actions.staff_admin import _email_set_password_link
from .loading import Columns, Load, choice, csv_rows, keep_load
from .models import (
    LoadRun,
    LocalCareNetwork,
    Lsoa,
    Membership,
    Neighbourhood,
    Organisation,
    OrganisationType,
    Place,
    Postcode,
    Role,
    System,
    Team,
    User,
)

Progress = Callable[[int], None] | None


# ---------------------------------------------------------------------------------------
# Places: system → place → local care network → neighbourhood

LEVELS = {
    "system": (System, None, None),
    "place": (Place, "system", "system"),
    "lcn": (LocalCareNetwork, "place", "place"),
    "neighbourhood": (Neighbourhood, "network", "lcn"),
}
LEVEL_NAMES = {"localcarenetwork": "lcn", "ics": "system", "icb": "system", "borough": "place"}


@transaction.atomic
def load_places(*, by: User | None, path: Path | str, progress: Progress = None) -> LoadRun:
    """``level,code,name,parent_code`` with levels system, place, lcn (local care network)
    and neighbourhood; each parent is in the file or loaded already, one level up."""
    load = Load("places", Path(path), by)
    rows: dict[str, dict[str, tuple[int, str, str]]] = {level: {} for level in LEVELS}
    for line, row in csv_rows(load.path, Columns(("level", "code", "name", "parent_code"))):
        load.counts["rows"] += 1
        level = row["level"].casefold().replace(" ", "")
        level = LEVEL_NAMES.get(level, level)
        code, name, parent = row["code"], row["name"], row["parent_code"]
        if level not in LEVELS:
            load.problem(line, "level", f"'{row['level'][:30]}' is not one of {', '.join(LEVELS)}")
            continue
        if not code or len(code) > 20:
            load.problem(line, "code", "a code of 1 to 20 characters is needed")
            continue
        if code in rows[level]:
            load.problem(
                line, "code", f"{code} is in the file already (row {rows[level][code][0]})"
            )
            continue
        if not name:
            load.problem(line, "name", "a name is needed")
        elif len(name) > 200:
            load.problem(line, "name", "longer than 200 characters")
        if level == "system" and parent:
            load.problem(line, "parent_code", "a system has no parent")
        if level != "system" and not parent:
            load.problem(line, "parent_code", f"say which {LEVELS[level][2]} this {level} is in")
        rows[level][code] = (line, name, parent)
    for level, (model, parent_field, parent_level) in LEVELS.items():
        known = {o.code: o for o in model.objects.all()}
        parents = {o.code: o for o in LEVELS[parent_level][0].objects.all()} if parent_level else {}
        for code, (line, name, parent_code) in rows[level].items():
            values = {"name": name}
            if parent_level:
                parent = parents.get(parent_code)
                if parent is None:
                    load.problem(
                        line,
                        "parent_code",
                        f"no {parent_level} {parent_code} in the file or loaded already",
                    )
                    continue
                values[parent_field] = parent
            if load.problems:
                continue  # checking the rest; nothing will be saved
            record = known.get(code)
            if record is None:
                known[code] = model.objects.create(code=code, **values)
                load.counts["created"] += 1
                continue
            changes = {
                k: [str(getattr(record, k)), str(v)]
                for k, v in values.items()
                if getattr(record, k) != v
            }
            if changes:
                for k, v in values.items():
                    setattr(record, k, v)
                record.save()
                load.changed(f"{level}:{code}", "updated", changes)
            else:
                load.counts["unchanged"] += 1
    load.refuse_if_problems()
    return keep_load(load, "places.load")


# ---------------------------------------------------------------------------------------
# LSOAs with their deprivation


# The English Indices of Deprivation 2019 (File 7, all ranks, deciles and scores) as
# published, and the ONS LSOA (2011) to LSOA (2021) lookup.
IOD_COLUMNS = {
    "LSOA code (2011)": "lsoa_code",
    "LSOA name (2011)": "name",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": (
        "imd_decile"
    ),
    "Local Authority District code (2019)": "la_code",
}
LOOKUP_COLUMNS = Columns(
    ("LSOA11CD", "LSOA21CD"), ("LSOA21NM", "CHGIND"), aliases={"lsoa11cd": "LSOA11CD"}
)
LSOA_CODE = re.compile(r"[EW]0[01]\d{6}")


def read_lsoa_lookup(path: Path | str) -> dict[str, list[tuple[str, str]]]:
    """{2011 code: [(2021 code, 2021 name), ...]} from the ONS lookup (a 2011 LSOA split
    in 2021 has several)."""
    lookup: dict[str, list[tuple[str, str]]] = {}
    for _, row in csv_rows(path, LOOKUP_COLUMNS):
        lookup.setdefault(row["LSOA11CD"], []).append((row["LSOA21CD"], row.get("LSOA21NM", "")))
    return lookup


@dataclass
class _LsoaRow:
    line: int
    name: str
    decile: int | None
    neighbourhood: str


@transaction.atomic
def load_lsoas(
    *,
    by: User | None,
    path: Path | str,
    lookup: Path | str | None = None,
    progress: Progress = None,
) -> LoadRun:
    """``lsoa_code,name,imd_decile,neighbourhood_code`` — or the published Indices of
    Deprivation 2019 file, keeping the LSOAs of the places loaded (by local authority) and,
    with ``lookup``, moved onto 2021 LSOAs (a 2011 LSOA split in 2021 gives each part its
    decile; 2021 LSOAs merged from several take the most deprived of them, so that nobody
    is counted as less deprived than the published figure says).

    ``name`` and ``imd_decile`` may be left out for an LSOA loaded already (to set its
    neighbourhood alone)."""
    load = Load("lsoas", Path(path), by)
    columns = Columns(
        ("lsoa_code",),
        ("name", "imd_decile", "neighbourhood_code", "la_code"),
        aliases=IOD_COLUMNS,
    )
    places = set(Place.objects.values_list("code", flat=True))
    neighbourhoods = dict(Neighbourhood.objects.values_list("code", "id"))
    mapping = read_lsoa_lookup(lookup) if lookup else None
    wanted: dict[str, _LsoaRow] = {}
    skipped = 0
    for line, row in csv_rows(load.path, columns):
        load.counts["rows"] += 1
        if row.get("la_code") and row["la_code"] not in places:
            skipped += 1  # the national file: another place's LSOA
            continue
        code = row["lsoa_code"].upper()
        if not LSOA_CODE.fullmatch(code):
            load.problem(line, "lsoa_code", f"'{code[:20]}' is not an LSOA code (E01… or W01…)")
            continue
        decile = None
        if row.get("imd_decile"):
            try:
                decile = int(row["imd_decile"])
            except ValueError:
                decile = 0
            if not 1 <= decile <= 10:
                load.problem(line, "imd_decile", f"'{row['imd_decile'][:10]}' is not 1 to 10")
                continue
        neighbourhood = row.get("neighbourhood_code", "")
        if neighbourhood and neighbourhood not in neighbourhoods:
            load.problem(
                line, "neighbourhood_code", f"no neighbourhood {neighbourhood}: load places first"
            )
            continue
        codes = [(code, row.get("name", ""))]
        if mapping is not None:
            if code not in mapping:
                load.problem(line, "lsoa_code", f"{code} is not in the 2011→2021 lookup")
                continue
            codes = mapping[code]
        for new_code, new_name in codes:
            earlier = wanted.get(new_code)
            if earlier is not None and mapping is None:
                load.problem(
                    line, "lsoa_code", f"{code} is in the file already (row {earlier.line})"
                )
                continue
            if earlier is not None and earlier.decile and decile:
                decile = min(decile, earlier.decile)  # merged: the most deprived
            wanted[new_code] = _LsoaRow(
                line, new_name or row.get("name", ""), decile, neighbourhood
            )
    known = {lsoa.code: lsoa for lsoa in Lsoa.objects.all()}
    for code, item in wanted.items():
        if code not in known and (not item.name or not item.decile):
            load.problem(item.line, "imd_decile" if item.name else "name",
                         f"{code} is new: its name and IMD decile are needed")  # fmt: skip
    load.refuse_if_problems()
    for code, item in wanted.items():
        values = {
            k: v
            for k, v in (
                ("name", item.name[:200]),
                ("imd_decile", item.decile),
                ("neighbourhood_id", neighbourhoods.get(item.neighbourhood)),
            )
            if v
        }
        record = known.get(code)
        if record is None:
            Lsoa.objects.create(code=code, **values)
            load.counts["created"] += 1
            continue
        changes = {k: [getattr(record, k), v] for k, v in values.items() if getattr(record, k) != v}
        if changes:
            Lsoa.objects.filter(pk=record.pk).update(**values)
            load.changed(code, "updated", changes)
        else:
            load.counts["unchanged"] += 1
    run = keep_load(load, "lsoas.load")
    run.skipped = skipped
    return run


# ---------------------------------------------------------------------------------------
# Organisations

# NHS Digital's epraccur.csv (GP practices) has no header row; these are its columns.
EPRACCUR = (
    "ods_code", "name", "national_grouping", "health_geography", "address_1", "address_2",
    "address_3", "address_4", "address_5", "postcode", "open_date", "close_date",
    "status", "subtype", "commissioner", "join_date", "left_date", "phone", "_19", "_20",
    "_21", "amended", "_23", "provider", "_25", "prescribing_setting", "_27",
)  # fmt: skip
GP_PRESCRIBING_SETTING = "4"


def _ods_date(value: str, line: int, column: str, load: Load) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        load.problem(line, column, f"'{value[:12]}' is not a date (YYYYMMDD)")
        return None


def _neighbourhood_by_postcode() -> dict[str, Neighbourhood]:
    """postcode → its neighbourhood (through its LSOA), for the postcodes loaded."""
    neighbourhoods = {n.pk: n for n in Neighbourhood.objects.select_related("network__place")}
    return {
        postcode: neighbourhoods[n]
        for postcode, n in Postcode.objects.filter(lsoa__neighbourhood__isnull=False).values_list(
            "postcode", "lsoa__neighbourhood_id"
        )
    }


@transaction.atomic
def load_organisations(
    *,
    by: User | None,
    path: Path | str,
    file_format: str = "csv",
    place: str = "",
    commissioners: tuple[str, ...] = (),
    progress: Progress = None,
) -> LoadRun:
    """``ods_code,name,type,place_code[,postcode,neighbourhood_code,closed_on]``
    (``place_code`` may list several, separated by ``;``), or NHS Digital's ``epraccur``
    file as published (``file_format="epraccur"``): its GP practices (prescribing setting
    4), of ``commissioners`` (sub-ICB codes) when given.

    A GP practice belongs to the neighbourhood (and so the place) of its postcode, when the
    postcode and its LSOA are loaded; otherwise to ``neighbourhood_code``, or (epraccur) to
    ``place``; an epraccur practice in none of the partnership's places is skipped. A
    closed practice is kept, as closed."""
    load = Load("organisations", Path(path), by)
    places = {p.code: p for p in Place.objects.all()}
    neighbourhoods = {n.code: n for n in Neighbourhood.objects.select_related("network__place")}
    by_postcode = _neighbourhood_by_postcode()
    if file_format == "epraccur":
        if place and place not in places:
            raise ValidationError(f"--place: no place {place}: load places first")
        rows = csv_rows(load.path, None, header=list(EPRACCUR))
    else:
        rows = csv_rows(
            load.path,
            Columns(
                ("ods_code", "name", "type", "place_code"),
                ("postcode", "neighbourhood_code", "closed_on"),
                aliases={"organisation_code": "ods_code", "place": "place_code"},
            ),
        )
    wanted: dict[str, tuple[int, dict, list[Place]]] = {}
    skipped = 0
    for line, row in rows:
        load.counts["rows"] += 1
        postcode = ""
        if row.get("postcode"):
            try:
                postcode = normalise_postcode(row["postcode"])
            except ValidationError as exc:
                load.problem(line, "postcode", exc.messages[0])
                continue
        neighbourhood = by_postcode.get(postcode)
        if file_format == "epraccur":
            if row.get("prescribing_setting") != GP_PRESCRIBING_SETTING:
                continue
            if commissioners and row.get("commissioner") not in commissioners:
                skipped += 1
                continue
            kind = OrganisationType.GP_PRACTICE
            if neighbourhood is None and not place:
                skipped += 1  # another area's practice
                continue
            at = [neighbourhood.network.place if neighbourhood else places[place]]
            closed = _ods_date(row.get("close_date", ""), line, "close_date", load)
            if closed is None and row.get("status") == "C":
                closed = _ods_date(row.get("left_date", ""), line, "left_date", load) or (
                    date.today()
                )
            name = row["name"].title() if row["name"].isupper() else row["name"]
        else:
            try:
                kind = choice(row["type"], OrganisationType, "type of organisation")
            except ValueError as exc:
                load.problem(line, "type", str(exc))
                continue
            at = []
            for code in (c.strip() for c in re.split(r"[;|]", row["place_code"])):
                if code and code not in places:
                    load.problem(line, "place_code", f"no place {code}: load places first")
                elif code:
                    at.append(places[code])
            code = row.get("neighbourhood_code", "")
            if code:
                neighbourhood = neighbourhoods.get(code)
                if neighbourhood is None:
                    load.problem(line, "neighbourhood_code", f"no neighbourhood {code}")
            name = row["name"]
            closed = None
            if row.get("closed_on"):
                try:
                    closed = date.fromisoformat(row["closed_on"])
                except ValueError:
                    load.problem(line, "closed_on", f"'{row['closed_on'][:12]}' is not a date")
        try:
            ods = validate_ods_code(row["ods_code"].upper() or None, kind)
        except ValidationError as exc:
            load.problem(line, "ods_code", exc.messages[0])
            continue
        if not name or len(name) > 200:
            load.problem(line, "name", "a name of up to 200 characters is needed")
            continue
        key = ods or f"name:{name.casefold()}"
        if key in wanted:
            load.problem(
                line, "ods_code", f"{ods or name} is in the file already (row {wanted[key][0]})"
            )
            continue
        values = {
            "name": name,
            "type": kind,
            "postcode": postcode,
            "closed_on": closed,
            "neighbourhood": neighbourhood if kind == OrganisationType.GP_PRACTICE else None,
        }
        wanted[key] = (line, values, at)
    load.refuse_if_problems()
    known = {
        (o.ods_code or f"name:{o.name.casefold()}"): o
        for o in Organisation.objects.prefetch_related("places")
    }
    for key, (_, values, at) in wanted.items():
        record = known.get(key)
        if record is None:
            record = Organisation.objects.create(
                ods_code=None if key.startswith("name:") else key, **values
            )
            record.places.set(at)
            load.counts["created"] += 1
            continue
        changes = {k: [str(getattr(record, k) or ""), str(v or "")] for k, v in values.items()
                   if getattr(record, k) != v}  # fmt: skip
        before = sorted(p.code for p in record.places.all())
        after = sorted(p.code for p in at)
        if before != after:
            changes["places"] = [", ".join(before), ", ".join(after)]
            record.places.set(at)
        if changes:
            for k, v in values.items():
                setattr(record, k, v)
            record.save()
            ended = values["closed_on"] and not changes.get("closed_on", [None, None])[0]
            load.changed(key, "ended" if ended else "updated", changes)
        else:
            load.counts["unchanged"] += 1
    run = keep_load(load, "organisations.load")
    run.skipped = skipped
    return run


# ---------------------------------------------------------------------------------------
# Staff

_USERNAME = re.compile(r"[\w.@+-]+")


@transaction.atomic
def load_staff(
    *,
    by: User | None,
    path: Path | str,
    site: str,
    send_links: bool = True,
    progress: Progress = None,
) -> LoadRun:
    """``username,name,email,organisation,role[,team]`` (organisation an ODS code or name;
    role as joinedup names it). Someone new gets an account with no password and an email
    with a single-use link to set one (sent once this commits; not with
    ``send_links=False``, as for the demo, whose staff share a known password). A
    membership made by an earlier staff file and missing from this one is made inactive at
    once, and someone left with no active membership can no longer sign in."""
    load = Load("staff", Path(path), by)
    organisations = {}
    for o in Organisation.objects.all():
        organisations[o.name.casefold()] = o
        if o.ods_code:
            organisations[o.ods_code.casefold()] = o
    wanted: dict[tuple[str, int, str], tuple[int, dict]] = {}
    emails: dict[str, str] = {}
    columns = Columns(
        ("username", "name", "email", "organisation", "role"),
        ("team",),
        aliases={"ods_code": "organisation", "full_name": "name"},
    )
    for line, row in csv_rows(load.path, columns):
        load.counts["rows"] += 1
        username = row["username"].lower()
        if not _USERNAME.fullmatch(username) or len(username) > 150:
            load.problem(line, "username", "letters, digits and . _ @ + - only, no spaces")
            continue
        first, _, last = row["name"].partition(" ")
        if not first or not last.strip():
            load.problem(line, "name", "a first and a last name are needed")
        try:
            validate_email(row["email"])
        except ValidationError:
            load.problem(line, "email", f"'{row['email'][:60]}' is not an email address")
        organisation = organisations.get(row["organisation"].casefold())
        if organisation is None:
            load.problem(
                line,
                "organisation",
                f"no organisation {row['organisation'][:60]}: load organisations first",
            )
            continue
        try:
            role = choice(row["role"], Role, "role")
        except ValueError as exc:
            load.problem(line, "role", str(exc))
            continue
        key = (username, organisation.pk, role)
        if key in wanted:
            load.problem(
                line, "role", f"the same person, organisation and role as row {wanted[key][0]}"
            )
            continue
        if emails.setdefault(username, row["email"].lower()) != row["email"].lower():
            load.problem(line, "email", f"{username} has another email address earlier in the file")
        wanted[key] = (
            line,
            {
                "first_name": first.strip()[:150],
                "last_name": last.strip()[:150],
                "email": row["email"].lower(),
                "organisation": organisation,
                "role": role,
                "team": row.get("team", "")[:200],
            },
        )
    load.refuse_if_problems()
    users = {u.username.lower(): u for u in User.objects.all()}
    held = {
        (m.user.username.lower(), m.organisation_id, m.role): m
        for m in Membership.objects.select_related("user", "team")
    }
    for (username, organisation_id, role), (_, values) in wanted.items():
        user = users.get(username)
        organisation = values["organisation"]
        where = f"{username}@{organisation.ods_code or organisation.pk}:{role}"
        changes = {}
        if user is None:
            user = create_staff_user(
                by=by, username=username, password=None, first_name=values["first_name"],
                last_name=values["last_name"], email=values["email"],
            )  # fmt: skip
            users[username] = user
            if send_links:
                _email_set_password_link(user=user, organisation=organisation, site=site, new=True)
        else:
            changes = {
                k: [getattr(user, k), values[k]]
                for k in ("first_name", "last_name", "email")
                if getattr(user, k) != values[k]
            }
            if not user.is_active:
                changes["active"] = [False, True]
            if changes:
                for k in ("first_name", "last_name", "email"):
                    setattr(user, k, values[k])
                user.is_active = True
                user.save()
        team = None
        if values["team"]:
            team, _ = Team.objects.get_or_create(organisation=organisation, name=values["team"])
        member = held.get((username, organisation_id, role))
        if member is None:
            member = add_membership(
                by=by, user=user, organisation=organisation, role=role, team=team
            )
            Membership.objects.filter(pk=member.pk).update(from_file=True)
            load.counts["created"] += 1
            continue
        if not member.active:
            changes["membership"] = ["inactive", "active"]
        if member.team_id != (team.pk if team else None):
            changes["team"] = [member.team.name if member.team else "", values["team"]]
        if changes or not member.from_file:
            Membership.objects.filter(pk=member.pk).update(active=True, team=team, from_file=True)
        if changes:
            load.changed(where, "updated", changes)
        else:
            load.counts["unchanged"] += 1
    # Who left: memberships from an earlier file that this one no longer has.
    gone = [m for key, m in held.items() if m.from_file and m.active and key not in wanted]
    for member in gone:
        Membership.objects.filter(pk=member.pk).update(active=False)
        organisation = member.organisation
        load.changed(
            f"{member.user.username}@{organisation.ods_code or organisation.pk}:{member.role}",
            "ended",
            {"active": [True, False]},
        )
        record_audit(
            by=by,
            organisation=member.organisation,
            action="membership.deactivate",
            object_type="membership",
            object_id=member.pk,
            detail={"from": load.path.name},
        )
    leavers = {m.user_id for m in gone}
    still = set(
        Membership.objects.filter(user_id__in=leavers, active=True).values_list(
            "user_id", flat=True
        )
    )
    User.objects.filter(pk__in=leavers - still).update(is_active=False)
    return keep_load(load, "staff.load")
