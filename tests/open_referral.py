"""The official Open Referral schemas as validators, with format checking on.

Each response of the Open Referral API is checked against what the official OpenAPI
documents (HSDS 3.0, and the UK profile) say that operation answers: the page envelope and
the records in it, resolved to the schemas in the reference data rather than fetched from
GitHub. ``format`` is checked (``uuid``, ``uri``, ``email``, ``date``, ``date-time``):
jsonschema skips ``uri`` and ``date-time`` silently unless ``rfc3986-validator`` and
``rfc3339-validator`` are installed, so :func:`format_checker` refuses to work without them.

    validator("uk", "/taxonomy_terms/{id}").validate(client.get(...).json())
"""

import functools
import json

import jsonschema
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.reference_data import HSDS_SCHEMAS, UK_PROFILE_SCHEMAS, require

# Where each standard's OpenAPI document says its schemas are: mapped to the reference data.
STANDARDS = {
    "hsds": (
        HSDS_SCHEMAS,
        "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/",
    ),
    "uk": (
        UK_PROFILE_SCHEMAS,
        "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/",
    ),
}
CHECKED_FORMATS = ("uuid", "uri", "email", "date", "date-time")

# The official OpenAPI documents say /service_at_locations/{id} answers a service (both
# point at compiled/service.json); it answers a service at a location, as the compiled
# service_at_location.json describes, and the API is checked against that.
ONE_SERVICE_AT_LOCATION = "compiled/service_at_location.json"


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's checker for draft 2020-12, refusing to run if a format the Open
    Referral schemas use would not be checked."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    missing = [name for name in CHECKED_FORMATS if name not in checker.checkers]
    if missing:
        raise RuntimeError(
            f"jsonschema would not check {', '.join(missing)}: install the dev dependencies "
            "(rfc3986-validator, rfc3339-validator)"
        )
    return checker


@functools.cache
def _registry(standard: str) -> tuple[Registry, str]:
    """Every schema of a standard under the address its OpenAPI document uses, and that
    document's own address."""
    folder, base = STANDARDS[standard]
    require(folder)
    registry = Registry()
    for path in sorted(folder.glob("*.json")) + sorted(folder.glob("compiled/*.json")):
        contents = json.loads(path.read_text())
        address = base + path.relative_to(folder).as_posix()
        registry = registry.with_resource(
            address, Resource.from_contents(contents, default_specification=DRAFT202012)
        )
    return registry, base + "openapi.json"


@functools.cache
def validator(standard: str, path: str, *, status: str = "200") -> Validator:
    """A validator for what ``GET path`` answers with ``status``, by the standard's
    (``"hsds"`` or ``"uk"``) OpenAPI document."""
    registry, openapi = _registry(standard)
    if path == "/service_at_locations/{id}":
        address = STANDARDS[standard][1] + ONE_SERVICE_AT_LOCATION
    else:
        address = openapi + _answer_pointer(path, status)
    return jsonschema.Draft202012Validator(
        {"$ref": address}, registry=registry, format_checker=format_checker()
    )


def _answer_pointer(path: str, status: str) -> str:
    """Where an OpenAPI document keeps the schema of what ``GET path`` answers."""
    parts = ("paths", path, "get", "responses", status, "content", "application/json", "schema")
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def own_validator(document: dict, path: str, *, status: str = "200") -> Validator:
    """A validator for what ``GET path`` answers with ``status`` by another OpenAPI
    document (joinedup's own), formats checked."""
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(
        {"$ref": "urn:openapi" + _answer_pointer(path, status)},
        registry=registry,
        format_checker=format_checker(),
    )


def paths(standard: str) -> list[str]:
    """The GET operations a standard's OpenAPI document describes."""
    registry, openapi = _registry(standard)
    return sorted(registry.contents(openapi)["paths"])


def errors(standard: str, path: str, answer: dict) -> list[str]:
    """Everything wrong with ``answer`` to ``GET path``, as readable lines (none: it
    conforms)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in validator(standard, path).iter_errors(answer)
    ]


@functools.cache
def schema(standard: str, name: str) -> Validator:
    """A validator for one of a standard's schemas ("compiled/service.json",
    "taxonomy_term.json"), references resolved and formats checked."""
    registry, _ = _registry(standard)
    return jsonschema.Draft202012Validator(
        {"$ref": STANDARDS[standard][1] + name}, registry=registry, format_checker=format_checker()
    )
