"""joinedup's models as FHIR R4 resources (UK Core shaped), and back for the few that can
be written (Task, Goal). Every function returns a plain dict; ``validate`` checks one
against the R4 models of ``fhir.resources``.

Identifiers: a Patient's id is the person's number; there is one CareTeam per person, with
the same id; a Goal's id is ``<care plan id>-<goal id>``; a Condition's id is
``<person id>-<condition key>``; a PractitionerRole is a membership (a user's role at an
organisation).
"""

from datetime import date, datetime

from django.utils import timezone

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

SNOMED = "http://snomed.info/sct"
# A referral is SNOMED CT 3457005 "Patient referral"; every kind also has joinedup's own
# code (``task_kind_system``), so a client can say and search either.
TASK_SNOMED = {"referral": ("3457005", "Patient referral")}


def task_kind_system() -> str:
    from joinedup.care.assessment import canonical

    return canonical("CodeSystem", "task-kind")


def task_code(kind: str) -> dict:
    codings = [{"system": task_kind_system(), "code": kind}]
    if kind in TASK_SNOMED:
        code, display = TASK_SNOMED[kind]
        codings.insert(0, {"system": SNOMED, "code": code, "display": display})
    return {"coding": codings, "text": kind}


def task_kind(code: dict | None) -> str | None:
    """The kind of task a Task.code says (a SNOMED CT or joinedup coding, else its text)."""
    code = code or {}
    for coding in code.get("coding") or []:
        if coding.get("system") == SNOMED:
            for kind, (snomed, _) in TASK_SNOMED.items():
                if coding.get("code") == snomed:
                    return kind
        if coding.get("system") == task_kind_system():
            return coding.get("code")
    return code.get("text")


GENDER = {"female": "female", "male": "male", "indeterminate": "other", "unknown": "unknown"}
# Plan goal progress ↔ FHIR Goal lifecycle and achievement.
GOAL_STATES = {
    "not_started": ("accepted", "no-progress"),
    "started": ("active", "in-progress"),
    "some_progress": ("active", "improving"),
    "achieved": ("completed", "achieved"),
    "no_longer_wanted": ("cancelled", "not-attainable"),
}
ACTIVITY_STATUS = {
    "to_do": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "cancelled": "cancelled",
}


def instant(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def ref(kind: str, pk, display: str = "") -> dict:
    out = {"reference": f"{kind}/{pk}"}
    if display:
        out["display"] = display
    return out


def _drop_empty(resource: dict) -> dict:
    """FHIR forbids empty values: drop None, "", [] and {} (recursively)."""
    if isinstance(resource, dict):
        cleaned = {k: _drop_empty(v) for k, v in resource.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(resource, list):
        cleaned = [_drop_empty(v) for v in resource]
        return [v for v in cleaned if v not in (None, "", [], {})]
    return resource


def validate(resource: dict) -> None:
    """Raise pydantic's ValidationError if ``resource`` is not valid FHIR R4."""
    kind = resource["resourceType"]
    module = __import__(f"fhir.resources.R4B.{kind.lower()}", fromlist=[kind])
    getattr(module, kind).model_validate(resource)


# ---------------------------------------------------------------------------------------
# People and organisations


def patient(person) -> dict:
    language = person.preferred_language or ""
    return _drop_empty(
        {
            "resourceType": "Patient",
            "id": str(person.pk),
            "meta": {
                "profile": [f"{UK_CORE}/UKCore-Patient"],
                "lastUpdated": instant(person.updated_at),
            },
            "identifier": [{"system": NHS_NUMBER, "value": person.nhs_number}]
            if person.nhs_number
            else [],
            "name": [
                {"use": "official", "family": person.family_name, "given": [person.given_name]}
            ],
            "gender": GENDER.get(person.sex, "unknown"),
            "birthDate": day(person.birth_date),
            "deceasedDateTime": day(person.date_of_death),
            "address": [
                {
                    "use": "home",
                    "line": [x for x in (person.address_line1, person.address_line2) if x],
                    "city": person.town,
                    "postalCode": person.postcode,
                }
            ],
            "telecom": [
                {"system": "phone", "value": person.phone, "use": "home"} if person.phone else {},
                {"system": "email", "value": person.email} if person.email else {},
            ],
            "communication": [{"language": {"text": language}, "preferred": True}]
            if language
            else [],
            "extension": [
                {
                    "url": f"{UK_CORE}/Extension-UKCore-NHSCommunication",
                    "extension": [
                        {"url": "language", "valueCodeableConcept": {"text": language}},
                        {"url": "interpreterRequired", "valueBoolean": person.interpreter_needed},
                    ],
                }
            ]
            if language
            else [],
            "generalPractitioner": [
                ref(
                    "Organization",
                    person.registered_practice_id,
                    person.registered_practice.name,
                )
            ]
            if person.registered_practice_id
            else [],
        }
    )


def organization(org) -> dict:
    return _drop_empty(
        {
            "resourceType": "Organization",
            "id": str(org.pk),
            "meta": {"profile": [f"{UK_CORE}/UKCore-Organization"]},
            "identifier": [{"system": ODS_CODE, "value": org.ods_code}] if org.ods_code else [],
            "active": True,
            "type": [{"text": org.get_type_display()}],
            "name": org.name,
        }
    )


def practitioner_role(membership) -> dict:
    return _drop_empty(
        {
            "resourceType": "PractitionerRole",
            "id": str(membership.pk),
            "meta": {"profile": [f"{UK_CORE}/UKCore-PractitionerRole"]},
            "active": membership.active,
            "practitioner": {
                "display": membership.user.get_full_name() or membership.user.username
            },
            "organization": ref(
                "Organization", membership.organisation_id, membership.organisation.name
            ),
            "code": [{"text": membership.get_role_display()}],
        }
    )


def _agent(user, organisation, role_ids: dict) -> dict:
    """A reference to whoever did something: their PractitionerRole if we know it, else
    their organisation."""
    if user is not None and (user.pk, organisation.pk) in role_ids:
        return ref(
            "PractitionerRole",
            role_ids[(user.pk, organisation.pk)],
            f"{user.get_full_name() or user.username}, {organisation.name}",
        )
    return ref("Organization", organisation.pk, organisation.name)


def role_ids(pairs) -> dict:
    """``{(user id, organisation id): membership id}`` for the given pairs."""
    from django.db.models import Q

    from joinedup.core.models import Membership

    pairs = {(u, o) for u, o in pairs if u is not None}
    if not pairs:
        return {}
    query = Q()
    for user_id, organisation_id in pairs:
        query |= Q(user_id=user_id, organisation_id=organisation_id)
    found = {}
    for m in Membership.objects.filter(query, active=True).order_by("pk"):
        found.setdefault((m.user_id, m.organisation_id), m.pk)
    return found


# ---------------------------------------------------------------------------------------
# Care


def care_team(person, members) -> dict:
    roles = role_ids((m.user_id, m.organisation_id) for m in members)
    participants = []
    for m in members:
        labels = [{"text": m.role}]
        if m.is_key_worker:
            labels.append({"text": "Key worker"})
        if m.is_lead:
            labels.append({"text": "Lead professional"})
        participants.append(
            {
                "role": labels,
                "member": _agent(m.user, m.organisation, roles),
                "onBehalfOf": ref("Organization", m.organisation_id, m.organisation.name),
                "period": {"start": instant(m.joined_at)},
            }
        )
    return _drop_empty(
        {
            "resourceType": "CareTeam",
            "id": str(person.pk),
            "status": "active",
            "name": f"Care team of {person.full_name}",
            "subject": ref("Patient", person.pk, person.full_name),
            "participant": participants,
        }
    )


def goal_id(plan, goal: dict) -> str:
    return f"{plan.pk}-{goal['id']}"


def goal(plan, item: dict) -> dict:
    lifecycle, achievement = GOAL_STATES.get(item.get("progress"), ("proposed", "in-progress"))
    return _drop_empty(
        {
            "resourceType": "Goal",
            "id": goal_id(plan, item),
            "meta": {
                "versionId": str(item.get("version", 1)),
                "lastUpdated": instant(plan.updated_at),
            },
            "lifecycleStatus": lifecycle,
            "achievementStatus": {"coding": [{"system": GOAL_ACHIEVEMENT, "code": achievement}]},
            "description": {"text": item.get("text", "")},
            "subject": ref("Patient", plan.person_id),
            "expressedBy": ref("Patient", plan.person_id),
            "note": [{"text": item["note"]}] if item.get("note") else [],
        }
    )


def care_plan(plan, content: dict) -> dict:
    about = content.get("about_me") or {}
    review = content.get("review") or {}
    notes = []
    if about.get("what_matters"):
        notes.append({"text": f"What matters to me: {about['what_matters']}"})
    if review.get("date"):
        notes.append({"text": f"Next review: {review['date']}"})
    return _drop_empty(
        {
            "resourceType": "CarePlan",
            "id": str(plan.pk),
            "meta": {"versionId": str(plan.version), "lastUpdated": instant(plan.updated_at)},
            "status": "active",
            "intent": "plan",
            "title": "Personalised care and support plan",
            "subject": ref("Patient", plan.person_id),
            "created": instant(plan.created_at),
            "careTeam": [ref("CareTeam", plan.person_id)],
            "goal": [ref("Goal", goal_id(plan, g)) for g in content.get("goals") or []],
            "activity": [
                {
                    "detail": {
                        "status": ACTIVITY_STATUS.get(a.get("status"), "unknown"),
                        "description": a.get("what", ""),
                        "scheduledString": f"By {a['by_when']}" if a.get("by_when") else "",
                        "performer": [{"display": a.get("who") or "The person"}],
                    }
                }
                for a in content.get("actions") or []
            ],
            "note": notes,
        }
    )


def task(item, roles: dict) -> dict:
    return _drop_empty(
        {
            "resourceType": "Task",
            "id": str(item.pk),
            "meta": {"versionId": str(item.version), "lastUpdated": instant(item.updated_at)},
            "status": item.status,
            "intent": "order",
            "code": task_code(item.kind),
            "description": item.description,
            "for": ref("Patient", item.person_id),
            "authoredOn": instant(item.created_at),
            "lastModified": instant(item.updated_at),
            "requester": _agent(item.requester, item.requester_organisation, roles),
            "owner": _agent(item.owner_user, item.owner_organisation, roles),
            "restriction": {"period": {"end": day(item.due)}} if item.due else {},
            "statusReason": {"text": item.status_reason} if item.status_reason else {},
            "output": [{"type": {"text": "Outcome"}, "valueString": item.outcome}]
            if item.outcome
            else [],
            "note": [{"text": item.detail}] if item.detail else [],
        }
    )


def tasks(items) -> list[dict]:
    items = list(items)
    pairs = [(t.requester_id, t.requester_organisation_id) for t in items] + [
        (t.owner_user_id, t.owner_organisation_id) for t in items
    ]
    roles = role_ids(pairs)
    return [task(t, roles) for t in items]


def condition(person, key: str, label: str, recorded: datetime) -> dict:
    return {
        "resourceType": "Condition",
        "id": f"{person.pk}-{key.replace('_', '-')}",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {"text": label},
        "subject": ref("Patient", person.pk),
        "recordedDate": instant(recorded),
    }


def questionnaire(stored) -> dict:
    return {**stored.resource, "id": str(stored.pk)}


def questionnaire_response(item, domains, roles: dict) -> dict:
    from joinedup.care.assessment import response_items

    resource = item.questionnaire.resource
    return _drop_empty(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(item.pk),
            "meta": {"versionId": str(item.version), "lastUpdated": instant(item.updated_at)},
            "questionnaire": f"{resource['url']}|{resource['version']}",
            "status": item.status,
            "subject": ref("Patient", item.person_id),
            "authored": instant(item.completed_at or item.updated_at),
            "author": _agent(item.author, item.organisation, roles) if item.organisation else {},
            "item": response_items(domains, item.answers),
        }
    )


def audit_event(event) -> dict:
    from django.conf import settings

    action = "R" if ".view" in event.action else "E"
    for verb, code in ((".create", "C"), (".start", "C"), (".change", "U"), (".merge", "U")):
        if event.action.endswith(verb):
            action = code
    who = event.user.get_full_name() or event.user.username if event.user else "joinedup"
    return _drop_empty(
        {
            "resourceType": "AuditEvent",
            "id": str(event.pk),
            "type": {
                "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                "code": "rest",
                "display": "RESTful Operation",
            },
            "subtype": [
                {
                    "system": f"{settings.FHIR_CANONICAL_BASE}/CodeSystem/audit-action",
                    "code": event.action,
                }
            ],
            "action": action,
            "recorded": instant(event.at),
            "agent": [
                {
                    "who": {"display": who},
                    "requestor": True,
                    "name": event.organisation.name if event.organisation else "",
                }
            ],
            "source": {"observer": {"display": "joinedup"}},
            "entity": [{"what": ref("Patient", event.person_id)}] if event.person_id else [],
            "purposeOfEvent": [{"text": event.reason}] if event.reason else [],
        }
    )


def operation_outcome(code: str, message: str, expression: str = "") -> dict:
    """An error as FHIR says it: ``code`` from the issue-type value set (invalid,
    not-found, forbidden, login, conflict, not-supported...)."""
    issue = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def bundle(entries: list[tuple[dict, str]], base: str, self_url: str, total: int) -> dict:
    """A searchset Bundle of (resource, "match" or "include")."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": mode},
            }
            for r, mode in entries
        ],
    }
