"""Every write of the directory. Imports are all-or-nothing per feed: the good records go
in, each bad one is listed in the import's report with why, and a feed that cannot be read
at all changes nothing."""

import hashlib
import json
import re
import secrets
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.care.models import TaskKind
from joinedup.core import json_input
from joinedup.core.actions import record_audit
from joinedup.core.mail import Mail, send_after_commit
from joinedup.core.models import (
    LocalCareNetwork,
    Membership,
    Neighbourhood,
    Organisation,
    Place,
    Postcode,
    User,
)
from joinedup.core.permissions import may_curate_directory
from joinedup.core.tokens import digest as _digest
from joinedup.people.models import Person

from . import feeds, index, needs
from .models import (
    ONS4,
    Consent,
    Contact,
    CostOption,
    DirectoryOrganisation,
    FeedImport,
    Language,
    Location,
    Phone,
    ProblemReport,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceReferral,
    ServiceStatus,
    Shortlist,
    ShortlistItem,
    Taxonomy,
    TaxonomyTerm,
    UpdateRequest,
)

MAX_FEED_BYTES = 200 * 1024 * 1024


def read_feed(source: str) -> bytes:
    """A feed's bytes from a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (http(s) only)
            data = response.read(MAX_FEED_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise ValidationError(f"{source}: no such file")
        if path.stat().st_size > MAX_FEED_BYTES:
            raise ValidationError(f"{source}: larger than {MAX_FEED_BYTES // 2**20} MB")
        data = path.read_bytes()
    if len(data) > MAX_FEED_BYTES:
        raise ValidationError(f"{source}: larger than {MAX_FEED_BYTES // 2**20} MB")
    return data


@transaction.atomic
def import_feed(*, by: User | None, source: str, data: bytes | None = None) -> FeedImport:
    """Import an Open Referral feed (HSDS 3.0 or ORUK 1.0 list). Re-importing the same
    feed changes nothing (records are matched by their feed id)."""
    data = read_feed(source) if data is None else data
    try:
        parsed = json_input.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    shape, raw_records = feeds.detect_shape(parsed)
    report = FeedImport.objects.create(
        source=source[:500],
        sha256=hashlib.sha256(data).hexdigest(),
        shape=shape,
        imported_at=timezone.now(),
    )
    known_orgs = {o.oruk_id: o for o in DirectoryOrganisation.objects.all()}
    existing = {s.oruk_id: s for s in Service.objects.all()}
    first_seen: dict[str, int] = {}
    writer = _PartWriter(report)
    for number, raw in enumerate(raw_records, start=1):
        record = feeds.clean_record(number, raw, shape)
        writer.check(record)
        if record.source_id and not record.rejected:
            if record.source_id in first_seen:
                record.rejected = (
                    f"the same id as record {first_seen[record.source_id]} (the first is kept)"
                )
            else:
                first_seen[record.source_id] = number
        for field_name, how in record.repairs:
            report.repaired.append(
                {"record": number, "id": record.source_id, "field": field_name, "how": how}
            )
        if record.rejected:
            report.rejected.append(
                {"record": number, "id": record.source_id, "why": record.rejected}
            )
            continue
        organisation = known_orgs.get(record.organisation_id)
        if record.organisation:
            if organisation is None:
                organisation = DirectoryOrganisation(oruk_id=record.organisation_id)
            if _changed(organisation, record.organisation):
                for key, value in record.organisation.items():
                    setattr(organisation, key, value)
                organisation.last_import = report
                organisation.save()
            known_orgs[record.organisation_id] = organisation
        if organisation is None:
            report.rejected.append(
                {
                    "record": number,
                    "id": record.source_id,
                    "why": f"organisation {record.organisation_id} is not in the directory",
                }
            )
            continue
        digest = hashlib.sha256(
            repr((record.service, record.parts, organisation.oruk_id)).encode()
        ).hexdigest()
        values = {**record.service, "organisation_id": organisation.pk, "feed_hash": digest}
        service = existing.get(record.source_id)
        if service is None:
            service = Service.objects.create(oruk_id=record.source_id, last_import=report, **values)
            existing[record.source_id] = service
            report.created += 1
        elif _changed(service, values):
            for key, value in values.items():
                setattr(service, key, value)
            service.last_import = report
            service.save()
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        writer.write(service, record, organisation)
    for item in writer.repairs:
        report.repaired.append(item)
    report.save()
    transaction.on_commit(index.forget)
    record_audit(
        by=by,
        action="directory.import",
        object_type="feed_import",
        object_id=report.pk,
        detail={
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.rejected),
            "repaired": len(report.repaired),
        },
    )
    return report


def _changed(instance, values: dict) -> bool:
    return instance.pk is None or any(getattr(instance, k) != v for k, v in values.items())


class _PartWriter:
    """Writes a service's parts (locations, schedules, areas, phones, contacts, costs,
    languages, taxonomy terms), replacing what the service had, and works out what search
    needs from them (free, for carers, search text, coordinates from postcodes)."""

    OWNED = (Schedule, ServiceArea, Phone, Contact, CostOption, Language, ServiceAtLocation)

    def __init__(self, report: FeedImport):
        self.report = report
        self.repairs: list[dict] = []
        self.owner = {
            model: dict(model.objects.exclude(service=None).values_list("oruk_id", "service_id"))
            for model in self.OWNED
        }
        if not Taxonomy.objects.filter(oruk_id=needs.TAXONOMY_ID).exists():
            needs.ensure_taxonomy()  # a flushed test database, or someone deleted it
        self.terms = {t.oruk_id: t for t in TaxonomyTerm.objects.all()}
        self.taxonomies = {t.oruk_id: t for t in Taxonomy.objects.all()}
        self.places = _known_places()

    def check(self, record) -> None:
        """Drop terms that name an id the directory does not know and the feed does not
        describe (a dangling reference)."""
        kept = []
        for term in record.parts.get("terms", []):
            if term["oruk_id"] in self.terms or term["name"]:
                kept.append(term)
            else:
                record.repairs.append(
                    ("attributes", f"dropped taxonomy term {term['oruk_id'][:60]}: not known")
                )
        record.parts["terms"] = kept

    def _own(self, model, oruk_id: str, service: Service, number: int) -> str:
        owner = self.owner[model].get(oruk_id)
        if owner is not None and owner != service.pk:
            new_id = f"{service.oruk_id}/{oruk_id}"[-100:]
            self.repairs.append(
                {
                    "record": number,
                    "id": service.oruk_id,
                    "field": model._meta.model_name,
                    "how": f"id {oruk_id[:60]} is another service's: renamed {new_id[:60]}",
                }
            )
            oruk_id = new_id
        self.owner[model][oruk_id] = service.pk
        return oruk_id

    def write(self, service: Service, record, organisation: DirectoryOrganisation) -> None:
        parts = record.parts
        for model in self.OWNED:
            model.objects.filter(service=service).delete()
        number = record.number
        sal_ids = {}
        for item in parts.get("locations", []):
            location = self._location(item, organisation, record)
            if any(a.location_id == location.pk for a in sal_ids.values()):
                continue
            sal = ServiceAtLocation.objects.create(
                oruk_id=self._own(ServiceAtLocation, item["sal_id"], service, number),
                service=service,
                location=location,
                description=item["sal_description"],
            )
            sal_ids[item["sal_id"]] = sal
        Schedule.objects.bulk_create(
            Schedule(
                **{k: v for k, v in item.items() if k not in ("oruk_id", "sal_id")},
                oruk_id=self._own(Schedule, item["oruk_id"], service, number),
                service=service,
                service_at_location=sal_ids.get(item.get("sal_id")),
            )
            for item in parts.get("schedules", [])
        )
        ServiceArea.objects.bulk_create(
            ServiceArea(
                **{k: v for k, v in item.items() if k != "oruk_id"},
                **self._place(item),
                oruk_id=self._own(ServiceArea, item["oruk_id"], service, number),
                service=service,
            )
            for item in parts.get("areas", [])
        )
        for model, key in (
            (Phone, "phones"),
            (Contact, "contacts"),
            (CostOption, "cost_options"),
            (Language, "languages"),
        ):
            model.objects.bulk_create(
                model(
                    **{k: v for k, v in item.items() if k != "oruk_id"},
                    oruk_id=self._own(model, item["oruk_id"], service, number),
                    service=service,
                )
                for item in parts.get(key, [])
            )
        terms = [self._term(item) for item in parts.get("terms", [])]
        service.terms.set(terms)
        Service.objects.filter(pk=service.pk).update(**derived(service, terms, parts))

    def _location(self, item: dict, organisation, record) -> Location:
        values = {
            k: v for k, v in item.items() if k not in ("oruk_id", "sal_id", "sal_description")
        }
        if values["latitude"] is None and values["postcode"]:
            found = Postcode.objects.filter(postcode=values["postcode"]).first()
            if found and found.latitude is not None:
                values["latitude"], values["longitude"] = found.latitude, found.longitude
            elif values["location_type"] == "physical":
                self.repairs.append(
                    {
                        "record": record.number,
                        "id": record.source_id,
                        "field": "location.postal_code",
                        "how": (
                            f"postcode {values['postcode']} is not in the postcode lookup: "
                            "no coordinates, so distance searches will not find it"
                        ),
                    }
                )
        location, _ = Location.objects.update_or_create(
            oruk_id=item["oruk_id"],
            defaults={**values, "organisation": organisation, "last_import": self.report},
        )
        return location

    def _term(self, item: dict) -> TaxonomyTerm:
        """The term an attribute names: a known term is linked, and updated only with what
        the feed says of it (joinedup's own needs terms are never changed by a feed)."""
        term = self.terms.get(item["oruk_id"])
        if term is not None and (not item["name"] or term.oruk_id.startswith(needs.TAXONOMY_ID)):
            return term
        taxonomy = None
        if item["taxonomy_id"]:
            taxonomy = self.taxonomies.get(item["taxonomy_id"])
            if taxonomy is None:
                taxonomy = Taxonomy.objects.create(
                    oruk_id=item["taxonomy_id"],
                    name=item["taxonomy_name"] or item["vocabulary"] or item["taxonomy_id"],
                )
                self.taxonomies[taxonomy.oruk_id] = taxonomy
        given = {
            "name": item["name"],
            "code": item["code"],
            "description": item["description"],
            "vocabulary": item["vocabulary"],
            "taxonomy": taxonomy,
            "parent": self.terms.get(item["parent_id"]),
        }
        given = {k: v for k, v in given.items() if v not in ("", None)}
        if term is None:
            term = TaxonomyTerm.objects.create(oruk_id=item["oruk_id"], **given)
        elif any(getattr(term, k) != v for k, v in given.items()):
            for k, v in given.items():
                setattr(term, k, v)
            term.save()
        self.terms[term.oruk_id] = term
        return term

    def _place(self, item: dict) -> dict:
        """The partnership's place an area names, when it names one."""
        for text in (item["extent"], item["name"]):
            key = text.strip().lower()
            if key in self.places:
                kind, code = self.places[key]
                return {"kind": kind, "code": code}
            district = key.upper()
            if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", district):
                return {"kind": ServiceArea.Kind.DISTRICT, "code": district}
        return {"kind": ServiceArea.Kind.OTHER, "code": ""}


def _known_places() -> dict[str, tuple[str, str]]:
    """Names and codes of the borough, its networks, neighbourhoods and practices."""
    places: dict[str, tuple[str, str]] = {}
    for code, name in Place.objects.values_list("code", "name"):
        places[code.lower()] = places[name.lower()] = (ServiceArea.Kind.BOROUGH, code)
    for code, name in LocalCareNetwork.objects.values_list("code", "name"):
        places[code.lower()] = places[name.lower()] = (ServiceArea.Kind.NETWORK, code)
    for code, name in Neighbourhood.objects.values_list("code", "name"):
        places[code.lower()] = places[name.lower()] = (ServiceArea.Kind.NEIGHBOURHOOD, code)
    for code, name in Organisation.objects.filter(type="gp_practice").values_list(
        "ods_code", "name"
    ):
        if code:
            places[code.lower()] = places[name.lower()] = (ServiceArea.Kind.PRACTICE, code)
    return places


def derived(service: Service, terms: list[TaxonomyTerm], parts: dict) -> dict:
    """What search reads, worked out from a service and its parts."""
    fees = service.fees_description.lower()
    charged = any(c["amount"] for c in parts.get("cost_options", []))
    is_free = not charged and (not fees or "free" in fees or "no charge" in fees)
    eligibility = service.eligibility_description.lower()
    for_carers = "carer" in eligibility and "carers" in service.name.lower() + eligibility
    need_words = [
        " ".join(needs.BY_CODE[t.code].words)
        for t in terms
        if t.taxonomy_id and t.code in needs.BY_CODE
    ]
    text = " ".join(
        [
            service.name,
            service.alternate_name,
            service.organisation.name,
            " ".join(t.name for t in terms),
            " ".join(need_words),
            service.description,
        ]
    )
    return {
        "is_free": is_free,
        "for_carers": for_carers,
        "search_text": " ".join(text.lower().split())[:20_000],
    }


# ---------------------------------------------------------------------------------------
# Referrals to services, closed loop, with wellbeing before and after

SMALL_NUMBER = 5  # outcomes of fewer referrals than this are not shown


# Each ONS4 question in words, for messages about its answer ("Enter how happy ...").
ONS4_IN_WORDS = {
    "satisfied": "how satisfied they are with their life nowadays",
    "worthwhile": "how worthwhile they feel the things they do are",
    "happy": "how happy they felt yesterday",
    "anxious": "how anxious they felt yesterday",
}


def ons4_scores(data, prefix: str) -> dict | None:
    """ONS4 answers ("{prefix}satisfied" ...) as {measure: 0–10}; None when all are blank;
    a ValidationError naming every field that is not a whole number from 0 to 10, or is
    blank when others are answered."""
    scores, errors, missing = {}, {}, []
    for key, _ in ONS4:
        raw = str(data.get(f"{prefix}{key}", "")).strip()
        if raw == "":
            missing.append(key)
        elif not raw.isdecimal() or int(raw) > 10:
            errors[f"{prefix}{key}"] = f"Enter {ONS4_IN_WORDS[key]} as a whole number from 0 to 10"
        else:
            scores[key] = int(raw)
    if len(missing) < len(ONS4):
        for key in missing:
            errors[f"{prefix}{key}"] = (
                f"Enter {ONS4_IN_WORDS[key]} too (from 0 to 10), or leave all four blank"
            )
    if errors:
        raise ValidationError(errors)
    return scores or None


@transaction.atomic
def refer(
    *,
    by: User,
    membership: Membership,
    person: Person,
    service: Service,
    reason: str,
    consent: str,
    before: dict | None = None,
    answers=None,
    plan_action: str = "",
) -> ServiceReferral:
    """Refer a person to a service, with their consent: a care referral to the
    organisation that works the service's referrals (the caller has already checked that
    the membership may open the person). Wellbeing now is ``before`` ({measure: 0–10}) or
    read from a form's ``answers`` ("before_satisfied" ...); every error is raised at once."""
    from joinedup.care import actions as care_actions

    errors = {}
    if consent not in Consent.values:
        errors["consent"] = ["Say how the person agreed to the referral"]
    if answers is not None:
        try:
            before = ons4_scores(answers, "before_")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    plan_action = (plan_action or "").strip()
    if plan_action:
        from .queries import plan_action as find_action

        if find_action(person, plan_action) is None:
            errors["action"] = [f"That action is not in {person.full_name}'s plan"]
    if errors:
        raise ValidationError(errors)
    if service.status != ServiceStatus.ACTIVE:
        raise ValidationError({"service": f"{service.name} is not taking referrals now"})
    partner = service.organisation.partner
    if partner is None:
        raise ValidationError(
            {"service": f"{service.organisation.name} does not take referrals through joinedup"}
        )
    task = care_actions.create_task(
        by=by,
        membership=membership,
        person=person,
        description=f"Referral to {service.name}"[:500],
        owner_organisation=partner,
        kind=TaskKind.REFERRAL,
        detail=reason,
        source=f"directory:{service.oruk_id}"[:100],
    )
    referral = ServiceReferral.objects.create(
        task=task,
        service=service,
        consent=consent,
        consent_recorded_at=timezone.now(),
        plan_action=plan_action[:40],
        before=before,
    )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.referral.create",
        person_id=person.pk,
        object_type="service_referral",
        object_id=referral.pk,
        detail={"service": service.oruk_id, "consent": consent},
    )
    return referral


@transaction.atomic
def record_outcome(
    *, by: User, membership: Membership, referral: ServiceReferral, after: dict | None
) -> ServiceReferral:
    """The provider records the person's wellbeing at the end (ONS4)."""
    from joinedup.care.permissions import may_work

    if not may_work(membership, referral.task):
        raise PermissionDenied("Only the organisation the referral is with can record this")
    if after is None:
        raise ValidationError(
            {f"after_{key}": f"Enter {words}, from 0 to 10" for key, words in ONS4_IN_WORDS.items()}
        )
    referral.after = after
    referral.after_recorded_at = timezone.now()
    referral.save(update_fields=["after", "after_recorded_at"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.referral.outcome",
        person_id=referral.task.person_id,
        object_type="service_referral",
        object_id=referral.pk,
    )
    return referral


def outcomes(service: Service) -> dict:
    """Referrals to a service and the average change in wellbeing of those with both
    scores; the averages are withheld below SMALL_NUMBER people (they could identify)."""
    referrals = ServiceReferral.objects.filter(service=service).select_related("task")
    counts = {"referred": 0, "accepted": 0, "completed": 0}
    paired = []
    for r in referrals:
        counts["referred"] += 1
        counts["accepted"] += r.task.status in ("accepted", "in-progress", "completed")
        counts["completed"] += r.task.status == "completed"
        if r.before and r.after:
            paired.append(r)
    shown = {
        key: (f"{'fewer than ' + str(SMALL_NUMBER) if 0 < value < SMALL_NUMBER else value}")
        for key, value in counts.items()
    }
    if len(paired) < SMALL_NUMBER:
        return {**shown, "paired": len(paired), "changes": None}
    changes = {
        key: round(sum(r.after[key] - r.before[key] for r in paired) / len(paired), 1)
        for key, _ in ONS4
    }
    return {**shown, "paired": len(paired), "changes": changes}


# ---------------------------------------------------------------------------------------
# Keeping it current: verification, update requests, problem reports, the curators' queue

ASK_AGAIN_DAYS = 30  # a provider is not asked again sooner than this
ANSWER_DAYS = 60  # an update request's link works this long
MAX_DETAIL = 2000


def verified_before(today: date | None = None) -> date:
    """Listings last verified before this date are out of date."""
    return (today or timezone.localdate()) - timedelta(days=settings.DIRECTORY_VERIFY_DAYS)


def stale_services(today: date | None = None):
    return Service.objects.filter(status=ServiceStatus.ACTIVE).filter(
        Q(assured_date__isnull=True) | Q(assured_date__lt=verified_before(today))
    )


@transaction.atomic
def request_updates(*, by: User | None, link_base: str, today: date | None = None) -> dict:
    """Ask the provider of every out-of-date listing to check it (by email, with a link
    that needs no account), unless they were asked recently. Returns the counts."""
    now = timezone.now()
    recently = now - timedelta(days=ASK_AGAIN_DAYS)
    asked = UpdateRequest.objects.filter(sent_at__gte=recently).values("service_id")
    counts = {"out of date": 0, "asked": 0, "asked recently": 0, "no email": 0}
    asked_ids = set(asked.values_list("service_id", flat=True))
    mails = []
    for service in stale_services(today).select_related("organisation").order_by("pk"):
        counts["out of date"] += 1
        if service.pk in asked_ids:
            counts["asked recently"] += 1
            continue
        email = service.email or service.organisation.email
        if not email:
            counts["no email"] += 1
            continue
        token = secrets.token_urlsafe(32)
        UpdateRequest.objects.create(
            service=service, token_hash=_digest(token), sent_to=email, sent_at=now
        )
        checked = (
            f"last checked on {service.assured_date:%d %B %Y}"
            if service.assured_date
            else "never checked"
        )
        mails.append(
            Mail(
                to=email,
                subject=f"Is your listing still right? {service.name}",
                body=f"The borough's service directory lists {service.name} "
                f"({service.organisation.name}), {checked}.\n\n"
                "Please tell us whether it is still right, or what has changed, here (no "
                f"account needed; the link works for {ANSWER_DAYS} days):\n{link_base}{token}\n",
            )
        )
        counts["asked"] += 1
    send_after_commit(mails, what="listing update requests")
    record_audit(by=by, action="directory.update_requests", detail=counts)
    return counts


def find_update_request(token: str) -> UpdateRequest | None:
    """The unanswered, unexpired request a link's token belongs to."""
    return (
        UpdateRequest.objects.select_related("service__organisation")
        .filter(
            token_hash=_digest(token or ""),
            answered_at=None,
            sent_at__gte=timezone.now() - timedelta(days=ANSWER_DAYS),
        )
        .first()
    )


@transaction.atomic
def answer_update(*, request: UpdateRequest, still_correct: bool, changes: str = "") -> None:
    """The provider confirms the listing (it is verified today) or says what changed (a
    report for the curators)."""
    changes = (changes or "").strip()
    if not still_correct and not changes:
        raise ValidationError({"changes": "Say what has changed"})
    if len(changes) > MAX_DETAIL:
        raise ValidationError({"changes": f"Keep it to {MAX_DETAIL:,} characters"})
    now = timezone.now()
    service = request.service
    if still_correct:
        service.assured_date = timezone.localdate()
        service.last_modified = now
        service.save(update_fields=["assured_date", "last_modified"])
    else:
        ProblemReport.objects.create(
            service=service, kind=ProblemReport.Kind.PROVIDER, detail=changes, reported_at=now
        )
    request.answered_at = now
    request.still_correct = still_correct
    request.save(update_fields=["answered_at", "still_correct"])
    record_audit(
        by=None,
        action="directory.update_answered",
        object_type="service",
        object_id=service.oruk_id,
        detail={"still_correct": still_correct},
    )


def report_problem(
    *, service: Service, kind: str, detail: str, by: User | None, resident: bool = False
) -> ProblemReport:
    """Anyone signed in (staff or resident) says a listing is wrong."""
    detail = (detail or "").strip()
    if kind not in ProblemReport.Kind.values or kind == ProblemReport.Kind.PROVIDER:
        raise ValidationError({"kind": "Choose what is wrong"})
    if kind == ProblemReport.Kind.OTHER and not detail:
        raise ValidationError({"detail": "Say what is wrong"})
    if len(detail) > MAX_DETAIL:
        raise ValidationError({"detail": f"Keep it to {MAX_DETAIL:,} characters"})
    report = ProblemReport.objects.create(
        service=service,
        kind=kind,
        detail=detail,
        reported_at=timezone.now(),
        reported_by=by if by is not None and by.is_authenticated else None,
        reported_by_resident=resident,
    )
    record_audit(
        by=report.reported_by,
        action="directory.problem_report",
        object_type="service",
        object_id=service.oruk_id,
        detail={"kind": kind, "resident": resident},
    )
    return report


@transaction.atomic
def resolve_problem(
    *,
    by: User,
    membership: Membership,
    report: ProblemReport,
    status: str,
    resolution: str,
    close_service: bool = False,
) -> ProblemReport:
    """A curator closes a report: fixed (what they did) or not a problem; optionally the
    service is marked as no longer running."""
    if not may_curate_directory(membership):
        raise PermissionDenied("Only directory curators work the queue")
    if status not in (ProblemReport.Status.FIXED, ProblemReport.Status.DISMISSED):
        raise ValidationError({"status": "Choose fixed or not a problem"})
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Say what you did or why it is not a problem"})
    if len(resolution) > MAX_DETAIL:
        raise ValidationError({"resolution": f"Keep it to {MAX_DETAIL:,} characters"})
    report.status, report.resolution = status, resolution
    report.resolved_by, report.resolved_at = by, timezone.now()
    report.save()
    if close_service:
        Service.objects.filter(pk=report.service_id).update(
            status=ServiceStatus.DEFUNCT, last_modified=timezone.now()
        )
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.problem_resolved",
        object_type="service",
        object_id=report.service.oruk_id,
        detail={"status": status, "closed": close_service},
    )
    return report


def verify_service(*, by: User, membership: Membership, service: Service) -> Service:
    """A curator has checked a listing with the provider: it is verified today."""
    if not may_curate_directory(membership):
        raise PermissionDenied("Only directory curators verify listings")
    service.assured_date = timezone.localdate()
    service.last_modified = timezone.now()
    service.save(update_fields=["assured_date", "last_modified"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.verified",
        object_type="service",
        object_id=service.oruk_id,
    )
    return service


# ---------------------------------------------------------------------------------------
# Shortlists a navigator gives a person

MAX_SHORTLIST = 20


def open_shortlist(*, membership: Membership, person: Person) -> Shortlist | None:
    """The shortlist this organisation is putting together for the person (not yet given)."""
    return (
        Shortlist.objects.filter(person=person, organisation=membership.organisation, given_at=None)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def shortlist_add(*, by: User, membership: Membership, person: Person, service: Service):
    shortlist = open_shortlist(membership=membership, person=person)
    if shortlist is None:
        shortlist = Shortlist.objects.create(
            person=person,
            created_by=by,
            organisation=membership.organisation,
            created_at=timezone.now(),
        )
    if shortlist.items.count() >= MAX_SHORTLIST:
        raise ValidationError({"service": f"A shortlist holds {MAX_SHORTLIST} services at most"})
    ShortlistItem.objects.get_or_create(
        shortlist=shortlist, service=service, defaults={"added_at": timezone.now()}
    )
    return shortlist


def shortlist_remove(*, membership: Membership, shortlist: Shortlist, service: Service) -> None:
    if shortlist.organisation_id != membership.organisation_id or shortlist.given_at:
        raise PermissionDenied("This shortlist cannot be changed")
    ShortlistItem.objects.filter(shortlist=shortlist, service=service).delete()


@transaction.atomic
def give_shortlist(*, by: User, membership: Membership, shortlist: Shortlist, note: str):
    """Give the shortlist to the person: it is fixed, and they see it in the portal."""
    if shortlist.organisation_id != membership.organisation_id or shortlist.given_at:
        raise PermissionDenied("This shortlist cannot be changed")
    note = (note or "").strip()
    if len(note) > MAX_DETAIL:
        raise ValidationError({"note": f"Keep the note to {MAX_DETAIL:,} characters"})
    if not shortlist.items.exists():
        raise ValidationError({"note": "Add at least one service first"})
    shortlist.note = note
    shortlist.given_at = timezone.now()
    shortlist.save(update_fields=["note", "given_at"])
    record_audit(
        by=by,
        organisation=membership.organisation,
        action="directory.shortlist_given",
        person_id=shortlist.person_id,
        object_type="shortlist",
        object_id=shortlist.pk,
    )
    return shortlist
