"""The CapabilityStatement: what this FHIR server does (kept beside the API it describes;
a test checks that every resource and search parameter listed here answers)."""

from django.utils import timezone

# (type, interactions beyond read and search-type, search parameters, _include values)
RESOURCES = (
    (
        "Patient",
        (),
        (
            ("identifier", "token"),
            ("family", "string"),
            ("given", "string"),
            ("name", "string"),
            ("gender", "token"),
            ("birthdate", "date"),
            ("address-postalcode", "string"),
            ("_id", "token"),
        ),
        (),
    ),
    (
        "CarePlan",
        (),
        (
            ("patient", "reference"),
            ("subject", "reference"),
            ("status", "token"),
            ("date", "date"),
            ("_id", "token"),
        ),
        ("CarePlan:care-team", "CarePlan:goal", "CarePlan:subject", "CarePlan:*"),
    ),
    ("CareTeam", (), (("patient", "reference"), ("subject", "reference")), ()),
    ("Goal", ("create", "update"), (("patient", "reference"), ("subject", "reference")), ()),
    (
        "Task",
        ("create", "update"),
        (
            ("patient", "reference"),
            ("status", "token"),
            ("owner", "reference"),
            ("code", "token"),
            ("authored-on", "date"),
        ),
        (),
    ),
    ("Condition", (), (("patient", "reference"), ("subject", "reference")), ()),
    ("Questionnaire", (), (("url", "uri"), ("version", "token")), ()),
    (
        "QuestionnaireResponse",
        (),
        (
            ("patient", "reference"),
            ("subject", "reference"),
            ("status", "token"),
            ("authored", "date"),
        ),
        (),
    ),
    ("Organization", (), (("identifier", "token"), ("name", "string")), ()),
    ("Practitioner", (), (("identifier", "token"),), ()),
    ("PractitionerRole", (), (("organization", "reference"),), ()),
    ("AuditEvent", (), (("patient", "reference"), ("date", "date")), ()),
)


# The UK Core profile each resource type conforms to (declared in each resource's meta).
PROFILES = {
    kind: f"https://fhir.hl7.org.uk/StructureDefinition/UKCore-{kind}"
    for kind in (
        "Patient", "CarePlan", "CareTeam", "Task", "Condition", "Organization",
        "Practitioner", "PractitionerRole", "AuditEvent",
    )
}  # fmt: skip


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("joinedup")
    except PackageNotFoundError:
        return "unknown"


def capability_statement(base: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "publisher": "joinedup",
        "kind": "instance",
        "software": {"name": "joinedup", "version": _version()},
        "implementation": {"description": "joinedup FHIR R4 API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "cors": True,
                    "description": (
                        "Bearer tokens (joinedup token create) act as one member of staff in "
                        "one organisation; records are reached only through a legitimate "
                        "relationship, and every access is audited."
                    ),
                },
                "resource": [
                    {
                        "type": kind,
                        **({"supportedProfile": [PROFILES[kind]]} if kind in PROFILES else {}),
                        "interaction": [{"code": c} for c in ("read", "search-type", *extra)],
                        # Updates must say the version they change (If-Match).
                        **({"versioning": "versioned-update"} if extra else {}),
                        "searchParam": [{"name": n, "type": t} for n, t in params],
                        **({"searchInclude": list(includes)} if includes else {}),
                    }
                    for kind, extra, params, includes in RESOURCES
                ],
            }
        ],
    }
