"""The FHIR API's OpenAPI document, saying what each operation answers as FHIR does.

django-ninja describes every operation as "200, any JSON object". Here each operation gains
what it really answers: a search a Bundle, a read the resource (a ``resourceType`` of its
type), a create 201 with the new resource, an update 200; every error an OperationOutcome
with the statuses that operation can give (400 a bad parameter or body, 401 no token, 403
not direct care, 404 not known to you, 406 not JSON, and for updates 409, 412 an old
version and 428 no ``If-Match``); and the body a create or update takes. Clients and
schemathesis's conformance checks read this.
"""

import re

MEDIA = "application/fhir+json"
REASONS = {
    400: "Bad parameter or body (an OperationOutcome naming it)",
    401: "No valid bearer token",
    403: "The token's member of staff does not give direct care",
    404: "Not known to you (whether or not it exists)",
    406: "Only FHIR JSON is served",
    409: "Conflicts with the record (e.g. the person has no plan yet)",
    412: "The version named in If-Match is not the current one",
    428: "If-Match is required for updates",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _resource(kind: str) -> dict:
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {
            "resourceType": {"type": "string", "enum": [kind]},
            "id": {"type": "string"},
        },
        "additionalProperties": True,
    }


SCHEMAS = {
    "OperationOutcome": {
        "type": "object",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["severity", "code"],
                    "properties": {
                        "severity": {
                            "type": "string",
                            "enum": ["fatal", "error", "warning", "information"],
                        },
                        "code": {"type": "string"},
                        "diagnostics": {"type": "string"},
                        "expression": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Bundle": {
        "type": "object",
        "required": ["resourceType", "type", "link"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["Bundle"]},
            "type": {"type": "string", "enum": ["searchset"]},
            "total": {"type": "integer", "minimum": 0},
            "link": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["relation", "url"],
                    "properties": {
                        "relation": {
                            "type": "string",
                            "enum": ["self", "first", "previous", "next", "last"],
                        },
                        "url": {"type": "string"},
                    },
                },
            },
            "entry": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["resource"],
                    "properties": {
                        "fullUrl": {"type": "string"},
                        "resource": {
                            "type": "object",
                            "required": ["resourceType"],
                            "additionalProperties": True,
                        },
                        "search": {
                            "type": "object",
                            "properties": {
                                "mode": {"type": "string", "enum": ["match", "include", "outcome"]}
                            },
                        },
                    },
                },
            },
        },
    },
}


def _content(schema: dict) -> dict:
    return {MEDIA: {"schema": schema}}


def _errors(*statuses: int) -> dict:
    return {
        str(s): {"description": REASONS[s], "content": _content(_ref("OperationOutcome"))}
        for s in statuses
    }


def describe(schema: dict) -> dict:
    """Amend ninja's document in place (and return it)."""
    kinds = set()
    for path, operations in schema.get("paths", {}).items():
        match = re.fullmatch(r".*/fhir/([A-Za-z]+)(/\{[^}]+\})?", path)
        if not match:
            continue
        kind, one = match.group(1), bool(match.group(2))
        for method, operation in operations.items():
            if kind == "metadata":
                operation["responses"] = {
                    "200": {
                        "description": "The CapabilityStatement",
                        "content": _content(_resource("CapabilityStatement")),
                    },
                    **_errors(406),
                }
                continue
            kinds.add(kind)
            found = _ref(kind)
            if method == "get" and not one:
                ok = {"200": {"description": "The matches", "content": _content(_ref("Bundle"))}}
                errors = _errors(400, 401, 403, 406)
            elif method == "get":
                ok = {"200": {"description": f"The {kind}", "content": _content(found)}}
                errors = _errors(400, 401, 403, 404, 406)
            elif method == "post":
                ok = {
                    "201": {
                        "description": f"The new {kind}",
                        "content": _content(found),
                        "headers": {
                            "Location": {"schema": {"type": "string"}},
                            "ETag": {"schema": {"type": "string"}},
                        },
                    }
                }
                errors = _errors(400, 401, 403, 404, 406, 409)
            else:
                ok = {
                    "200": {
                        "description": f"The {kind} as changed",
                        "content": _content(found),
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                    }
                }
                errors = _errors(400, 401, 403, 404, 406, 409, 412, 428)
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": "If-Match",
                        "required": False,
                        "description": 'The version changed, from the ETag: W/"n"',
                        "schema": {"type": "string"},
                    }
                )
            if method in ("post", "put"):
                operation["requestBody"] = {"required": True, "content": _content(found)}
            operation["responses"] = {**ok, **errors}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(SCHEMAS)
    components.update({kind: _resource(kind) for kind in sorted(kinds)})
    return schema
