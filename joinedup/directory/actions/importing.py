"""Importing Open Referral feeds."""

import hashlib
import json
import re
import urllib.request
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core import json_input
from joinedup.core.actions import record_audit
from joinedup.core.models import (
    LocalCareNetwork,
    Neighbourhood,
    Organisation,
    Place,
    Postcode,
    User,
)

from .. import feeds, index, needs, uuids
from ..models import (
    Contact,
    CostOption,
    DirectoryOrganisation,
    FeedImport,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
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
        # Known by their feed ids and by the UUIDs the API gives them (a feed that took its
        # terms from joinedup's API names them so).
        self.terms = _by_either_id(TaxonomyTerm.objects.all())
        self.taxonomies = _by_either_id(Taxonomy.objects.all())
        self.places = _known_places()

    def check(self, record) -> None:
        """Drop terms that name an id the directory does not know and the feed does not
        describe (a dangling reference)."""
        kept = []
        for term in record.parts.get("terms", []):
            if _known(self.terms, term["oruk_id"]) or term["name"]:
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
        term = _known(self.terms, item["oruk_id"])
        if term is not None and (not item["name"] or term.oruk_id.startswith(needs.TAXONOMY_ID)):
            return term
        taxonomy = None
        if item["taxonomy_id"]:
            taxonomy = _known(self.taxonomies, item["taxonomy_id"])
            if taxonomy is None:
                taxonomy = Taxonomy.objects.create(
                    oruk_id=item["taxonomy_id"],
                    name=item["taxonomy_name"] or item["vocabulary"] or item["taxonomy_id"],
                )
                self.taxonomies.update(_by_either_id([taxonomy]))
            elif item["taxonomy_name"] and taxonomy.oruk_id != needs.TAXONOMY_ID:
                if taxonomy.name != item["taxonomy_name"]:
                    taxonomy.name = item["taxonomy_name"]
                    taxonomy.save(update_fields=["name"])
        given = {
            "name": item["name"],
            "code": item["code"],
            "description": item["description"],
            "vocabulary": item["vocabulary"],
            "taxonomy": taxonomy,
            "parent": _known(self.terms, item["parent_id"]),
            "term_uri": item["term_uri"],
        }
        given = {k: v for k, v in given.items() if v not in ("", None)}
        if term is None:
            term = TaxonomyTerm.objects.create(oruk_id=item["oruk_id"], **given)
        elif any(getattr(term, k) != v for k, v in given.items()):
            for k, v in given.items():
                setattr(term, k, v)
            term.save()
        self.terms.update(_by_either_id([term]))
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


def _by_either_id(records) -> dict:
    """Records by their feed id (text) and by their UUID."""
    return {key: r for r in records for key in (r.oruk_id, r.uuid)}


def _known(records: dict, feed_id: str):
    """The record a feed names, by its feed id or by its UUID (in any spelling)."""
    return records.get(feed_id) or records.get(uuids.parse(feed_id))


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
