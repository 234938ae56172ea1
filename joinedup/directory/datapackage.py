"""The whole directory as an HSDS 3.0 tabular data package: one CSV per table, with the
columns the HSDS 3.0 schemas give each table (in their order), and ``datapackage.json``
describing them. Written to a temporary folder and renamed into place, so a reader never
sees half a package.

Example::

    write_package(Path("out/directory"))   # out/directory/services.csv, ..., datapackage.json
"""

import csv
import json
import shutil
import tempfile
from pathlib import Path

from django.utils import timezone

from joinedup.core.spreadsheets import safe_cell

from . import api, uuids
from .models import (
    Contact,
    CostOption,
    DirectoryOrganisation,
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

# The HSDS 3.0 tabular columns of each table joinedup holds (checked against the official
# schemas in the tests).
TABLES = {
    "organizations.csv": "id,name,alternate_name,description,email,website,tax_status,tax_id,"
    "year_incorporated,legal_status,logo,uri,parent_organization_id",
    "services.csv": "id,organization_id,program_id,name,alternate_name,description,url,email,"
    "status,interpretation_services,application_process,fees_description,wait_time,fees,"
    "accreditations,eligibility_description,minimum_age,maximum_age,assured_date,"
    "assurer_email,licenses,alert,last_modified",
    "locations.csv": "id,location_type,url,organization_id,name,alternate_name,description,"
    "transportation,latitude,longitude,external_identifier,external_identifier_type",
    "addresses.csv": "id,location_id,attention,address_1,address_2,city,region,"
    "state_province,postal_code,country,address_type",
    "accessibility.csv": "id,location_id,description,details,url",
    "service_at_location.csv": "id,service_id,location_id,description",
    "schedules.csv": "id,service_id,location_id,service_at_location_id,valid_from,valid_to,"
    "dtstart,timezone,until,count,wkst,freq,interval,byday,byweekno,bymonthday,byyearday,"
    "description,opens_at,closes_at,schedule_link,attending_type,notes",
    "service_areas.csv": "id,service_id,name,description,extent,extent_type,uri",
    "phones.csv": "id,location_id,service_id,organization_id,contact_id,"
    "service_at_location_id,number,extension,type,description",
    "contacts.csv": "id,organization_id,service_id,service_at_location_id,location_id,name,"
    "title,department,email",
    "cost_options.csv": "id,service_id,valid_from,valid_to,option,currency,amount,"
    "amount_description",
    "languages.csv": "id,service_id,location_id,phone_id,name,code,note",
    "taxonomies.csv": "id,name,description,uri,version",
    "taxonomy_terms.csv": "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,"
    "term_uri",
    "attributes.csv": "id,link_id,taxonomy_term_id,link_type,link_entity,value",
}
COLUMNS = {name: spec.split(",") for name, spec in TABLES.items()}


def _rows() -> dict[str, list[dict]]:
    """Every table's rows, from the same renderers as the API (so the two agree)."""
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    tables["organizations.csv"] = [
        api.organisation_out(o) for o in DirectoryOrganisation.objects.order_by("pk")
    ]
    for s in Service.objects.select_related("organisation").order_by("pk").iterator(2000):
        row = api.service_out(s, full=False)
        row.pop("organization", None)
        tables["services.csv"].append(row)
    for location in Location.objects.select_related("organisation").order_by("pk"):
        out = api.location_out(location)
        tables["addresses.csv"] += out.pop("addresses", [])
        tables["accessibility.csv"] += out.pop("accessibility", [])
        tables["locations.csv"].append(out)
    for sal in ServiceAtLocation.objects.select_related("service", "location").order_by("pk"):
        tables["service_at_location.csv"].append(
            {
                "id": str(sal.uuid),
                "service_id": str(sal.service.uuid),
                "location_id": str(sal.location.uuid),
                "description": sal.description,
            }
        )
    for schedule in Schedule.objects.select_related("service", "service_at_location"):
        sal = schedule.service_at_location
        tables["schedules.csv"].append(
            api.schedule_out(schedule, str(schedule.service.uuid), str(sal.uuid) if sal else None)
        )
    simple = (
        ("service_areas.csv", ServiceArea, ("name", "description", "extent", "extent_type", "uri")),
        ("phones.csv", Phone, ("number", "extension", "type", "description")),
        ("contacts.csv", Contact, ("name", "title", "department", "email")),
        (
            "cost_options.csv",
            CostOption,
            ("valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
        ),
        ("languages.csv", Language, ("name", "code", "note")),
    )
    for name, model, fields in simple:
        for item in model.objects.select_related("service").order_by("pk"):
            row = {
                "id": str(item.uuid),
                "service_id": str(item.service.uuid) if item.service else "",
            }
            row.update({f: getattr(item, f) for f in fields})
            tables[name].append(row)
    tables["taxonomies.csv"] = [api.taxonomy_out(t) for t in Taxonomy.objects.order_by("pk")]
    for term in TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("pk"):
        row = api.term_out(term)
        row.pop("taxonomy_detail", None)
        tables["taxonomy_terms.csv"].append(row)
    through = Service.terms.through.objects.select_related("service", "taxonomyterm")
    for link in through.order_by("pk").iterator(5000):
        tables["attributes.csv"].append(
            {
                "id": uuids.part(link.service.uuid, "attribute", str(link.taxonomyterm.uuid)),
                "link_id": str(link.service.uuid),
                "taxonomy_term_id": str(link.taxonomyterm.uuid),
                "link_type": "service",
                "link_entity": "service",
            }
        )
    return tables


def write_package(out: Path) -> dict[str, int]:
    """Write the package to ``out`` (replacing it whole); returns rows per table."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".directory-", dir=out.parent))
    try:
        counts = {}
        resources = []
        for name, rows in _rows().items():
            columns = COLUMNS[name]
            with open(staging / name, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([safe_cell(_text(row.get(c))) for c in columns])
            counts[name] = len(rows)
            resources.append(
                {
                    "name": name.removesuffix(".csv"),
                    "path": name,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "profile": "tabular-data-resource",
                    "schema": {"fields": [{"name": c, "type": "string"} for c in columns]},
                }
            )
        package = {
            "name": "joinedup-service-directory",
            "title": "Service directory (Open Referral HSDS 3.0)",
            "profile": "tabular-data-package",
            "created": timezone.now().isoformat(),
            "resources": resources,
        }
        (staging / "datapackage.json").write_text(json.dumps(package, indent=1))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return counts


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)
