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
LOINC = "http://loinc.org"
BCP47 = "urn:ietf:bcp:47"
UK_CORE_CODES = "https://fhir.hl7.org.uk/CodeSystem"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
# A role's SNOMED CT occupation, where one says the same thing (every role also has
# joinedup's own code, ``role_system``).
ROLE_SNOMED = {
    "gp": ("62247001", "General practitioner"),
    "practice_nurse": ("159002008", "Practice nurse"),
    "community_nurse": ("158997000", "District nurse"),
    "hospital_specialist": ("69280009", "Specialized physician"),
    "social_worker": ("106328005", "Social worker"),
    "care_coordinator": ("768821004", "Care team coordinator"),
    "pharmacist": ("46255001", "Pharmacist"),
}
CARE_PLAN_CATEGORY = {"coding": [{"system": SNOMED, "code": "734163000", "display": "Care plan"}]}
CARE_TEAM_CATEGORY = {
    "coding": [
        {
            "system": LOINC,
            "code": "LA28865-6",
            "display": "Longitudinal care-coordination focused care team",
        }
    ]
}
# A referral is SNOMED CT 3457005 "Patient referral"; every kind also has joinedup's own
# code (``task_kind_system``), so a client can say and search either.
TASK_SNOMED = {"referral": ("3457005", "Patient referral")}


def task_kind_system() -> str:
    from joinedup.care.assessment import canonical

    return canonical("CodeSystem", "task-kind")


def role_system() -> str:
    from joinedup.care.assessment import canonical

    return canonical("CodeSystem", "staff-role")


def role_code(role: str, label: str) -> dict:
    """A staff role as a CodeableConcept: SNOMED CT where it has the occupation, and
    joinedup's own role code."""
    codings = [{"system": role_system(), "code": role, "display": label}]
    if role in ROLE_SNOMED:
        code, display = ROLE_SNOMED[role]
        codings.insert(0, {"system": SNOMED, "code": code, "display": display})
    return {"coding": codings, "text": label}


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


def _nhs_number(person) -> list[dict]:
    from joinedup.people.coding import NHS_NUMBER_STATUS

    if not person.nhs_number:
        return []
    identifier = {"system": NHS_NUMBER, "value": person.nhs_number}
    status = person.nhs_number_status
    if status in NHS_NUMBER_STATUS:
        identifier["extension"] = [
            {
                "url": f"{UK_CORE}/Extension-UKCore-NHSNumberVerificationStatus",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": f"{UK_CORE_CODES}/UKCore-NHSNumberVerificationStatusEngland",
                            "code": status,
                            "display": NHS_NUMBER_STATUS[status],
                        }
                    ]
                },
            }
        ]
    return [identifier]


def _ethnic_category(person) -> dict:
    from joinedup.people.coding import ETHNIC_CATEGORY_CODE, ETHNIC_CATEGORY_DISPLAY

    code = ETHNIC_CATEGORY_CODE.get(person.ethnicity)
    if code is None:
        return {}
    return {
        "url": f"{UK_CORE}/Extension-UKCore-EthnicCategory",
        "valueCodeableConcept": {
            "coding": [
                {
                    "system": f"{UK_CORE_CODES}/UKCore-EthnicCategoryEngland",
                    "code": code,
                    "display": ETHNIC_CATEGORY_DISPLAY[code],
                }
            ],
            "text": person.get_ethnicity_display(),
        },
    }


def _language(person) -> list[dict]:
    """The person's language, coded (BCP-47, as UK Core's all-languages binding asks)
    where its name is a language, else as text."""
    from joinedup.people.coding import language_tag

    name = (person.preferred_language or "").strip()
    if not name:
        return []
    found = language_tag(name)
    coding = [{"system": BCP47, "code": found[0], "display": found[1]}] if found else []
    return [{"language": {"coding": coding, "text": name}, "preferred": True}]


def patient(person) -> dict:
    practice = person.registered_practice if person.registered_practice_id else None
    gp = {}
    if practice is not None:
        gp = ref("Organization", practice.pk, practice.name)
        if practice.ods_code:
            gp["identifier"] = {"system": ODS_CODE, "value": practice.ods_code}
    return _drop_empty(
        {
            "resourceType": "Patient",
            "id": str(person.pk),
            "meta": {
                "profile": [f"{UK_CORE}/UKCore-Patient"],
                "lastUpdated": instant(person.updated_at),
            },
            "extension": [
                _ethnic_category(person),
                {"url": INTERPRETER_REQUIRED, "valueBoolean": True}
                if person.interpreter_needed
                else {},
            ],
            "identifier": _nhs_number(person),
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
            "communication": _language(person),
            "generalPractitioner": [gp],
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


def practitioner(user) -> dict:
    """A member of staff. Their identifier is their joinedup user name; professional
    registration numbers are not kept."""
    return _drop_empty(
        {
            "resourceType": "Practitioner",
            "id": str(user.pk),
            "meta": {"profile": [f"{UK_CORE}/UKCore-Practitioner"]},
            "identifier": [{"system": user_system(), "value": user.username}],
            "active": user.is_active,
            "name": [
                {"family": user.last_name, "given": [user.first_name] if user.first_name else []}
            ]
            if user.last_name
            else [{"text": user.get_full_name() or user.username}],
        }
    )


def user_system() -> str:
    from joinedup.care.assessment import canonical

    return canonical("Id", "staff-user")


def practitioner_role(membership) -> dict:
    user = membership.user
    return _drop_empty(
        {
            "resourceType": "PractitionerRole",
            "id": str(membership.pk),
            "meta": {"profile": [f"{UK_CORE}/UKCore-PractitionerRole"]},
            "active": membership.active,
            "practitioner": ref("Practitioner", user.pk, user.get_full_name() or user.username),
            "organization": ref(
                "Organization", membership.organisation_id, membership.organisation.name
            ),
            "code": [role_code(membership.role, membership.get_role_display())],
        }
    )


def _agent(user, organisation, role_ids: dict) -> dict:
    """A reference to whoever did something: their PractitionerRole if we know it, else
    their organisation."""
    if user is not None and (user.pk, organisation.pk) in role_ids:
        return ref(
            "PractitionerRole",
            role_ids[(user.pk, organisation.pk)].pk,
            f"{user.get_full_name() or user.username}, {organisation.name}",
        )
    return ref("Organization", organisation.pk, organisation.name)


def role_ids(pairs) -> dict:
    """``{(user id, organisation id): membership}`` (the active one) for the given pairs."""
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
        found.setdefault((m.user_id, m.organisation_id), m)
    return found


# ---------------------------------------------------------------------------------------
# Care


def care_team(person, members) -> dict:
    roles = role_ids((m.user_id, m.organisation_id) for m in members)
    participants = []
    for m in members:
        held = roles.get((m.user_id, m.organisation_id))
        labels = [
            {**role_code(held.role, held.get_role_display()), "text": m.role}
            if held is not None
            else {"text": m.role}
        ]
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
            "meta": {"profile": [f"{UK_CORE}/UKCore-CareTeam"]},
            "status": "active",
            "category": [CARE_TEAM_CATEGORY],
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
            "meta": {
                "versionId": str(plan.version),
                "lastUpdated": instant(plan.updated_at),
                "profile": [f"{UK_CORE}/UKCore-CarePlan"],
            },
            "status": "active",
            "intent": "plan",
            "category": [CARE_PLAN_CATEGORY],
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
            "meta": {
                "versionId": str(item.version),
                "lastUpdated": instant(item.updated_at),
                "profile": [f"{UK_CORE}/UKCore-Task"],
            },
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


def condition(person, key: str, label: str, evidence=None) -> dict:
    """A long-term condition the population run found. ``evidence`` (population.queries.
    ConditionEvidence) is what the coded record says: the SNOMED CT code last recorded for
    it, and the date it was first recorded (since any resolution), which is both its
    onset as far as the record knows and when it was recorded."""
    code = {"text": label}
    if evidence is not None:
        code["coding"] = [{"system": SNOMED, "code": str(evidence.code), "display": evidence.term}]
    return _drop_empty(
        {
            "resourceType": "Condition",
            "id": f"{person.pk}-{key.replace('_', '-')}",
            "meta": {"profile": [f"{UK_CORE}/UKCore-Condition"]},
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
            "code": code,
            "subject": ref("Patient", person.pk),
            "onsetDateTime": day(evidence.onset) if evidence else None,
            "recordedDate": day(evidence.onset) if evidence else None,
        }
    )


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


def audit_event(event, roles: dict) -> dict:
    from django.conf import settings

    action = "R" if ".view" in event.action else "E"
    for verb, code in ((".create", "C"), (".start", "C"), (".change", "U"), (".merge", "U")):
        if event.action.endswith(verb):
            action = code
    if event.organisation is not None:
        who = _agent(event.user, event.organisation, roles)
    else:
        who = {
            "display": event.user.get_full_name() or event.user.username
            if event.user
            else "joinedup"
        }
    return _drop_empty(
        {
            "resourceType": "AuditEvent",
            "id": str(event.pk),
            "meta": {"profile": [f"{UK_CORE}/UKCore-AuditEvent"]},
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
                    "who": who,
                    "requestor": True,
                    "name": event.organisation.name if event.organisation else "",
                }
            ],
            "source": {"observer": {"display": "joinedup"}},
            "entity": [{"what": ref("Patient", event.person_id)}] if event.person_id else [],
            "purposeOfEvent": [{"text": event.reason}] if event.reason else [],
        }
    )


def audit_events(events) -> list[dict]:
    events = list(events)
    roles = role_ids((e.user_id, e.organisation_id) for e in events if e.organisation_id)
    return [audit_event(e, roles) for e in events]


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
