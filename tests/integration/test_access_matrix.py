"""The access matrix: every named page and endpoint, tried as every kind of user — each
role, staff of another organisation, someone who has left the person's care team, the
resident, their carer, another resident, and someone signed out — against the declared
policy in tests/access_policy.py. Zero unexpected allows; every URL that is expected to be
open is open; a URL without a policy entry fails.

The JSON APIs are tried twice: with every kind of user's browser session above (a
session gets nowhere), and with every member of staff's bearer token on the resident's
records, against TOKEN_POLICY.

Pages are fetched with GET; for users who must be refused, the same URL is also POSTed to
(empty), which must be refused too. The borough is the demo's (care activity, directory
and engagement), plus one resident whose relationships are known exactly: registered at
one practice, with a plan, one nurse in their care team and a social worker who left it.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from joinedup.core import actions as core_actions
from joinedup.core.models import Membership, Organisation, OrganisationType, Role
from joinedup.core.permissions import DIRECT_CARE_ROLES
from tests import access_policy as policy

PASSWORD = "matrix-password-2026"
MADE_UP = "made-up-token-0123456789abcdef"
SIGN_IN_PAGES = ("/sign-in", "/portal/sign-in", "/admin/login")


def named_urls() -> list[tuple[str, list[str]]]:
    """Every named URL (namespace:name) with its converter names."""
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = p.namespace or namespace
                if p.namespace and namespace:
                    inner = f"{namespace}:{p.namespace}"
                walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append((name, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    unique = {}
    for name, converters in found:
        unique.setdefault(name, converters)
    return sorted(unique.items())


def _staff(username: str, organisation: Organisation, role: str):
    return core_actions.create_staff_user(
        by=None,
        username=username,
        password=PASSWORD,
        first_name="Matrix",
        last_name=username,
        memberships=[(organisation, role)],
    )


@pytest.fixture
def scene(db, tmp_path):
    """The demo borough and one resident whose relationships are known exactly."""
    from joinedup.care import actions as care
    from joinedup.directory import actions as directory
    from joinedup.directory.models import Service
    from joinedup.engagement.models import (
        Assembly,
        Board,
        Feedback,
        Meeting,
        SelectionRun,
        Survey,
    )
    from joinedup.identity import actions as identity
    from joinedup.identity.models import AgencyLoad, Band, ReviewItem, SourceRecord
    from joinedup.people import actions as people
    from joinedup.portal import actions as portal
    from joinedup.synth.borough import nhs_numbers
    from joinedup.synth.engagement import build_engagement, build_panel

    call_command("synth", "--residents", "1500", "--seed", "4", "--agencies", str(tmp_path / "a"))
    call_command("population", "run")
    call_command("care", "build-caseload")
    call_command("demo", "care")
    call_command("demo", "directory")
    build_panel(size=200)
    build_engagement(say=lambda message: None)

    by_type = {t: Organisation.objects.filter(type=t).order_by("pk") for t in OrganisationType}
    practice, other_practice = by_type[OrganisationType.GP_PRACTICE][:2]
    community = by_type[OrganisationType.COMMUNITY_TRUST].first()
    adult_care = by_type[OrganisationType.ADULT_SOCIAL_CARE].first()
    federation = by_type[OrganisationType.GP_FEDERATION].first()
    icb = by_type[OrganisationType.ICB].first()
    users = {
        "gp": _staff("m.gp", practice, Role.GP),
        "team_member": _staff("m.nurse", community, Role.COMMUNITY_NURSE),
        "gp_other_practice": _staff("m.gp.other", other_practice, Role.GP),
        "ex_care_team": _staff("m.social", adult_care, Role.SOCIAL_WORKER),
        "navigator": _staff(
            "m.navigator", by_type[OrganisationType.VOLUNTARY].first(), Role.CARE_NAVIGATOR
        ),  # fmt: skip
        "coordinator": _staff("m.coordinator", federation, Role.CARE_COORDINATOR),
        "analyst": _staff("m.analyst", icb, Role.ANALYST),
        "data_quality": _staff("m.dq", icb, Role.DATA_QUALITY),
        "curator": _staff(
            "m.curator", by_type[OrganisationType.PUBLIC_HEALTH].first(), Role.DIRECTORY_CURATOR
        ),  # fmt: skip
        "engagement": _staff(
            "m.engagement", by_type[OrganisationType.HEALTHWATCH].first(), Role.ENGAGEMENT_OFFICER
        ),  # fmt: skip
        "org_admin": _staff("m.orgadmin", practice, Role.ORG_ADMIN),
        "system_admin": _staff("m.sysadmin", icb, Role.SYSTEM_ADMIN),
    }
    memberships = {k: Membership.objects.get(user=u) for k, u in users.items()}
    gp, gp_m = users["gp"], memberships["gp"]
    numbers = iter(nhs_numbers(50, __import__("numpy").random.default_rng(99)))
    from joinedup.people.models import Person

    def new_person(given):
        number = next(n for n in numbers if not Person.objects.filter(nhs_number=n).exists())
        return people.register_person(
            by=None, organisation=None, nhs_number=number, given_name=given,
            family_name="Matrix", birth_date=date(1948, 5, 6), sex="female",
            postcode="", registered_practice=practice,
        )  # fmt: skip

    person = new_person("Pat")
    plan = care.start_plan(by=gp, membership=gp_m, person=person)
    care.save_goal(by=gp, membership=gp_m, plan=plan, base_version=1, data={"text": "Walk"})
    care.add_team_member(by=gp, membership=gp_m, person=person, organisation=community,
                         role="Community nurse", user=users["team_member"])  # fmt: skip
    left = care.add_team_member(by=gp, membership=gp_m, person=person, organisation=adult_care,
                                role="Social worker", user=users["ex_care_team"])  # fmt: skip
    care.remove_team_member(by=gp, membership=gp_m, member=left, reason="Case closed")
    assessment = care.start_assessment(by=gp, membership=gp_m, person=person)
    task = care.create_task(by=gp, membership=gp_m, person=person, description="Check in",
                            owner_organisation=practice)  # fmt: skip
    service = Service.objects.exclude(organisation__partner=None).order_by("pk").first()
    referral = directory.refer(by=gp, membership=gp_m, person=person, service=service,
                               reason="Loneliness", consent="spoken")  # fmt: skip
    directory.shortlist_add(by=gp, membership=gp_m, person=person, service=service)
    from joinedup.directory.models import Shortlist, TaxonomyTerm

    shortlist = Shortlist.objects.get(person=person)
    directory.give_shortlist(by=gp, membership=gp_m, shortlist=shortlist, note="For you")
    report = directory.report_problem(service=service, kind="closed", detail="", by=gp)
    load = AgencyLoad.objects.create(agency=icb, file_name="m.csv", sha256="1" * 64,
                                     loaded_at="2026-01-01T00:00Z")  # fmt: skip
    record = SourceRecord.objects.create(agency=icb, load=load, local_id="M1", given_name="Pat",
                                         family_name="Matrix", band=Band.REVIEW)  # fmt: skip
    review = ReviewItem.objects.create(record=record, person=person, match_probability=0.7,
                                       match_weight=1.0, field_weights={})  # fmt: skip
    twin_a, twin_b = new_person("Twin"), new_person("Twin")
    merge = identity.merge_persons(by=None, survivor=twin_a, absorbed=twin_b, reason="Same")
    portal.create_demo_account(person=person, email="pat@example.org", password=PASSWORD)
    portal.create_demo_carer(email="carer@example.org", name="Chris", password=PASSWORD,
                             cares_for=person)  # fmt: skip
    someone = new_person("Other")
    portal.create_demo_account(person=someone, email="other@example.org", password=PASSWORD)
    from joinedup.care.models import AgendaItem

    mdt_item = AgendaItem.objects.select_related("meeting").order_by("pk").first()
    content = care.current_content(plan)
    goal_id = content["goals"][0]["id"]
    assembly = Assembly.objects.order_by("pk").first()
    board_meeting = Meeting.objects.order_by("pk").first()
    from joinedup.jobs.models import Job, JobStatus

    job = Job.objects.create(kind="engagement.selection", label="A failed selection",
                             status=JobStatus.FAILED, run_after="2026-01-01T00:00Z",
                             created_at="2026-01-01T00:00Z")  # fmt: skip
    # A released board pack (its files stand in for the made ones).
    from joinedup.outcomes.models import BoardPack

    pack = BoardPack.objects.create(
        board=Board.objects.first(),
        month=date(2026, 11, 1),
        made_at="2026-12-01T09:00Z",
        token="0123456789abcdef0123456789abcdef",
        released_at="2026-12-01T10:00Z",
    )
    for public in (True, False):
        pack.path(public=public, pdf=True).parent.mkdir(parents=True, exist_ok=True)
        pack.path(public=public, pdf=True).write_bytes(b"%PDF-1.7 the matrix's pack")
    samples = {
        "person_id": person.pk,
        "task_id": task.pk,
        "meeting_id": mdt_item.meeting_id,
        "assessment_id": assessment.pk,
        "domain": assessment.questionnaire.resource["item"][0]["linkId"],
        "section": "about_me",
        "kind": "goal",
        "goal_id": goal_id,
        "shortlist_id": shortlist.pk,
        "oruk_id": service.oruk_id,
        "referral_id": referral.pk,
        "report_id": report.pk,
        "merge_id": merge.pk,
        "job_id": job.pk,
        "token": MADE_UP,
        "service_id": service.oruk_id,
        "organization_id": service.organisation.oruk_id,
        "sal_id": service.at_locations.first().oruk_id,
        "taxonomy_id": str(TaxonomyTerm.objects.exclude(taxonomy=None).first().taxonomy.uuid),
        "term_id": str(TaxonomyTerm.objects.first().uuid),
        # The staff pages: the matrix's practice (where its organisation admin works).
        "organisation_id": practice.pk,
        "membership_id": memberships["gp"].pk,
    }
    overrides = {
        "care:agenda-item": {"meeting_id": mdt_item.meeting_id, "item_id": mdt_item.pk},
        "care:plan-item": {"person_id": person.pk, "kind": "goal", "item_id": goal_id},
        "identity:pair": {"item_id": review.pk},
        "core:place-settings-edit": {"code": "system"},
        "identity:decide": {"item_id": review.pk},
        "engagement:assembly": {"pk": assembly.pk},
        "engagement:selection": {
            "pk": assembly.pk,
            "run": SelectionRun.objects.filter(assembly=assembly).first().pk,
        },
        "engagement:members": {"pk": assembly.pk},
        "engagement:sessions": {"pk": assembly.pk},
        "engagement:session": {"pk": assembly.pk, "number": 1},
        "engagement:recommendations": {"pk": assembly.pk},
        "engagement:recommendation": {"pk": assembly.pk, "number": 1},
        "engagement:report": {"pk": assembly.pk},
        "engagement:report-pdf": {"pk": assembly.pk},
        "engagement:feedback-item": {"pk": Feedback.objects.first().pk},
        "engagement:survey": {"pk": Survey.objects.first().pk},
        "engagement:board": {"pk": Board.objects.first().pk},
        "engagement:meeting": {"pk": board_meeting.board_id, "meeting": board_meeting.pk},
        "api:get_person": {"person_id": person.pk},
        "fhir:read_patient": {"patient_id": person.pk},
        "outcomes:indicator": {"key": "ltc-3-plus-prevalence"},
        "outcomes:pack": {"pk": pack.pk},
        "outcomes:pack-pdf": {"pk": pack.pk},
        "outcomes:public-pack": {"token": pack.token},
        "outcomes:public-pack-pdf": {"token": pack.token},
    }

    # Who, by their organisation, runs the MDT meeting and works the referral.
    mdt_meeting = mdt_item.meeting
    attendees = set(mdt_meeting.attendees.values_list("user_id", flat=True))
    provider = referral.task.owner_organisation_id
    groups = {
        policy.MDT: {
            a for a, m in memberships.items()
            if m.organisation_id == mdt_meeting.organiser_organisation_id
            or m.user_id in attendees
        },
        policy.PROVIDER: {
            a for a, m in memberships.items()
            if m.organisation_id == provider and m.role in DIRECT_CARE_ROLES
        },
        # The scene's referral is sent, not yet accepted: nobody may record its outcome.
        policy.ACCEPTED_PROVIDER: set(),
        policy.TASK: {
            a for a, m in memberships.items()
            if m.organisation_id in (task.requester_organisation_id, task.owner_organisation_id)
            and m.role in DIRECT_CARE_ROLES
        },
    }  # fmt: skip

    class Scene:
        pass

    # Long-term conditions from the current population run, for Condition.
    from joinedup.population.models import PersonProfile, PopulationRun

    PersonProfile.objects.create(
        run=PopulationRun.objects.get(current=True), person=person,
        conditions=",asthma,copd,depression,", ltc_count=3, multimorbid=True, cms=2.5,
        age=78, age_band="75-84", sex="female", ethnicity_group="White", practice=practice,
    )  # fmt: skip

    s = Scene()
    s.plan, s.task, s.assessment, s.practice = plan, task, assessment, practice
    s.memberships = memberships
    s.groups = groups
    s.users, s.samples, s.overrides, s.person = users, samples, overrides, person
    return s


STAFF_ACTORS = ("gp", "team_member", "gp_other_practice", "ex_care_team", "navigator",
                "coordinator", "analyst", "data_quality", "curator", "engagement",
                "org_admin", "system_admin")  # fmt: skip
ROLE_OF = {
    "gp": Role.GP,
    "team_member": Role.COMMUNITY_NURSE,
    "gp_other_practice": Role.GP,
    "ex_care_team": Role.SOCIAL_WORKER,
    "navigator": Role.CARE_NAVIGATOR,
    "coordinator": Role.CARE_COORDINATOR,
    "analyst": Role.ANALYST,
    "data_quality": Role.DATA_QUALITY,
    "curator": Role.DIRECTORY_CURATOR,
    "engagement": Role.ENGAGEMENT_OFFICER,
    "org_admin": Role.ORG_ADMIN,
    "system_admin": Role.SYSTEM_ADMIN,
}
ACTORS = ("signed_out", "resident", "carer", "other_resident", *STAFF_ACTORS)
# The people with a legitimate relationship to the scene's resident.
RELATED = {"gp", "team_member"}
# Of those, the one in the resident's care team (the GP has the record through the practice).
IN_CARE_TEAM = {"team_member"}


def expected(rule, actor: str, scene) -> bool:
    """Whether the policy lets this actor in."""
    staff = actor in STAFF_ACTORS
    if rule in (policy.MDT, policy.PROVIDER, policy.ACCEPTED_PROVIDER, policy.TASK):
        return actor in scene.groups[rule]
    if rule == policy.ANY_TASK:
        return actor in scene.groups[policy.TASK] | scene.groups[policy.PROVIDER]
    if rule in (policy.NOBODY, policy.OPERATOR):
        return False
    if rule == policy.OWN:
        return actor == "resident"
    if rule == policy.ANYONE:
        return True
    if rule == policy.SIGNED_OUT:
        return True
    if rule in (policy.TOKEN, policy.API_TOKEN):
        return False
    if rule == policy.STAFF:
        return staff
    if rule == policy.DIRECT_CARE:
        return staff and ROLE_OF[actor] in DIRECT_CARE_ROLES
    if rule == policy.PERSON:
        return actor in RELATED
    if rule == policy.CARE_TEAM:
        return actor in IN_CARE_TEAM
    if rule == policy.RESIDENT:
        return actor in ("resident", "other_resident")
    if rule == policy.PORTAL:
        return actor in ("resident", "other_resident", "carer")
    if rule == policy.CARER:
        return actor == "carer"
    return staff and ROLE_OF[actor] in rule


def outcome(response) -> str:
    """ "allowed" or "refused" (401, 403, 404, 405, or sent to a sign-in page)."""
    code = response.status_code
    if code in (401, 403, 404, 405, 400):
        return "refused"
    if code in (301, 302, 303):
        where = response.get("Location", "")
        if any(where.startswith(p) for p in SIGN_IN_PAGES) or where.endswith("/break-glass"):
            return "refused"
        return "allowed"
    if code >= 500:
        return "error"
    return "allowed"


def test_every_url_has_a_policy():
    missing = [name for name, _ in named_urls() if policy.policy_for(name) is None]
    assert not missing, f"URLs with no entry in tests/access_policy.py: {missing}"


def test_the_access_matrix(scene, client):
    from django.test import Client

    clients = {"signed_out": Client()}
    for actor in STAFF_ACTORS:
        clients[actor] = Client()
        clients[actor].force_login(scene.users[actor])
    for actor, email in (("resident", "pat@example.org"), ("carer", "carer@example.org"),
                         ("other_resident", "other@example.org")):  # fmt: skip
        clients[actor] = Client()
        answer = clients[actor].post(reverse("portal:sign-in"), {"email": email,
                                                                 "password": PASSWORD})  # fmt: skip
        assert answer.status_code == 302, (actor, answer.content[:500])
    urls = [
        (name, converters)
        for name, converters in named_urls()
        if not name.startswith("admin:") or name in policy.ADMIN_CHECKED
    ]
    unexpected_allows, unexpected_refusals, errors = [], [], []
    tried = 0
    for name, converters in urls:
        rule = policy.policy_for(name)
        # FHIR reads take a token first, so any id will do for them.
        kwargs = scene.overrides.get(name) or {c: scene.samples.get(c, "1") for c in converters}
        url = reverse(name, kwargs=kwargs or None)
        # Visitors come from elsewhere; only the server itself may ask for its metrics.
        visitor = {"REMOTE_ADDR": "203.0.113.9"} if rule == policy.OPERATOR else {}
        if rule == policy.SIGNED_OUT or name.endswith(("sign-out",)):
            continue  # signing in and out changes the session: covered by their own tests
        for actor in ACTORS:
            client_ = clients[actor]
            got = outcome(client_.get(url, **visitor))
            tried += 1
            want = expected(rule, actor, scene)
            if got == "error":
                errors.append(f"{name} {url} as {actor}: server error")
            elif got == "allowed" and not want:
                unexpected_allows.append(f"{name} {url} as {actor}")
            elif got == "refused" and want and name not in policy.POST_ONLY:
                unexpected_refusals.append(f"{name} {url} as {actor}")
            if not want and rule not in (policy.ANYONE,):
                posted = outcome(client_.post(url, {}, **visitor))
                tried += 1
                if posted == "allowed":
                    unexpected_allows.append(f"POST {name} {url} as {actor}")
                elif posted == "error":
                    errors.append(f"POST {name} {url} as {actor}: server error")
    print(f"access matrix: {len(urls)} URLs x {len(ACTORS)} users, {tried} requests")
    assert not unexpected_allows, "Let in against the policy:\n" + "\n".join(unexpected_allows)
    assert not errors, "\n".join(errors)
    assert not unexpected_refusals, "Kept out against the policy:\n" + "\n".join(
        unexpected_refusals
    )


def _token_requests(scene, tokens) -> dict:
    """For each API operation, how to try it on the scene's resident: a function of a
    token giving "allowed" or "refused". Ids are found as the resident's GP."""
    import json

    from django.test import Client

    person = scene.person

    def call(token, method, path, body=None, **params):
        headers = {"Authorization": f"Bearer {token}"}
        if body is None:
            return getattr(Client(), method)(path, params, headers=headers)
        return getattr(Client(), method)(
            path, json.dumps(body), content_type="application/fhir+json", headers=headers
        )

    def read(path):
        return lambda token: outcome(call(token, "get", path))

    def search(path, **params):
        def tried(token):
            answer = call(token, "get", path, **params)
            if answer.status_code != 200:
                return outcome(answer)
            return "allowed" if answer.json()["total"] > 0 else "refused"

        return tried

    def first_id(path, **params) -> str:
        found = call(tokens["gp"], "get", path, **params).json()
        assert found["total"] > 0, (path, found)
        return found["entry"][0]["resource"]["id"]

    patient = {"patient": f"Patient/{person.pk}"}
    kinds = ("CareTeam", "Goal", "Condition", "QuestionnaireResponse", "AuditEvent")
    ids = {kind: first_id(f"/fhir/{kind}", **patient) for kind in kinds}
    goal = call(tokens["gp"], "get", f"/fhir/Goal/{ids['Goal']}").json()
    task = call(tokens["gp"], "get", f"/fhir/Task/{scene.task.pk}").json()
    new_goal = {"resourceType": "Goal", "lifecycleStatus": "active",
                "description": {"text": "Matrix"},
                "subject": {"reference": f"Patient/{person.pk}"}}  # fmt: skip
    new_task = {"resourceType": "Task", "status": "requested", "intent": "order",
                "code": {"text": "task"}, "description": "Matrix",
                "for": {"reference": f"Patient/{person.pk}"},
                "owner": {"reference": f"Organization/{scene.practice.pk}"}}  # fmt: skip

    def send(method, path, body, status):
        def tried(token):
            answer = call(token, method, path, body)
            return "allowed" if answer.status_code == status else outcome(answer)

        return tried

    return {
        "api:me": read("/api/me"),
        "api:get_person": read(f"/api/people/{person.pk}"),
        "fhir:read_patient": read(f"/fhir/Patient/{person.pk}"),
        "fhir:search_patient": search(
            "/fhir/Patient", identifier=f"https://fhir.nhs.uk/Id/nhs-number|{person.nhs_number}"
        ),
        "fhir:read_care_plan": read(f"/fhir/CarePlan/{scene.plan.pk}"),
        "fhir:search_care_plan": search("/fhir/CarePlan", **patient),
        "fhir:read_care_team": read(f"/fhir/CareTeam/{ids['CareTeam']}"),
        "fhir:search_care_team": search("/fhir/CareTeam", **patient),
        "fhir:read_goal": read(f"/fhir/Goal/{ids['Goal']}"),
        "fhir:search_goal": search("/fhir/Goal", **patient),
        "fhir:create_goal": send("post", "/fhir/Goal", new_goal, 201),
        "fhir:update_goal": send("put", f"/fhir/Goal/{ids['Goal']}", goal, 200),
        "fhir:read_condition": read(f"/fhir/Condition/{ids['Condition']}"),
        "fhir:search_condition": search("/fhir/Condition", **patient),
        "fhir:read_questionnaire_response": read(
            f"/fhir/QuestionnaireResponse/{ids['QuestionnaireResponse']}"
        ),
        "fhir:search_questionnaire_response": search("/fhir/QuestionnaireResponse", **patient),
        "fhir:read_audit_event": read(f"/fhir/AuditEvent/{ids['AuditEvent']}"),
        "fhir:search_audit_event": search("/fhir/AuditEvent", **patient),
        "fhir:create_task": send("post", "/fhir/Task", new_task, 201),
        "fhir:read_task": read(f"/fhir/Task/{scene.task.pk}"),
        "fhir:search_task": search("/fhir/Task", **patient),
        "fhir:update_task": send("put", f"/fhir/Task/{scene.task.pk}", task, 200),
        "fhir:read_organization": read(f"/fhir/Organization/{scene.practice.pk}"),
        "fhir:search_organization": search("/fhir/Organization"),
        "fhir:read_practitioner_role": read(f"/fhir/PractitionerRole/{scene.memberships['gp'].pk}"),
        "fhir:search_practitioner_role": search("/fhir/PractitionerRole"),
        "fhir:read_practitioner": read(f"/fhir/Practitioner/{scene.users['gp'].pk}"),
        "fhir:search_practitioner": search("/fhir/Practitioner"),
        "fhir:read_questionnaire": read(f"/fhir/Questionnaire/{scene.assessment.questionnaire_id}"),
        "fhir:search_questionnaire": search("/fhir/Questionnaire"),
    }


def test_the_api_matrix_with_tokens(scene):
    """Every operation of the JSON APIs that takes a bearer token, with the token of every
    kind of staff user, on the matrix resident's records (residents and carers have no
    tokens; without a token every one is refused: the matrix above and the API fuzzing)."""
    tokens = {
        actor: core_actions.create_api_token(
            by=None, user=scene.users[actor], organisation=scene.memberships[actor].organisation
        )
        for actor in STAFF_ACTORS
    }
    operations = [name for name, _ in named_urls() if policy.policy_for(name) == policy.API_TOKEN]
    # Reads first: a task or goal created by one token would change what the next sees.
    operations.sort(key=lambda name: (name.startswith(("fhir:create_", "fhir:update_")), name))
    missing = [name for name in operations if name not in policy.TOKEN_POLICY]
    assert not missing, f"API operations with no entry in TOKEN_POLICY: {missing}"
    requests = _token_requests(scene, tokens)
    assert set(requests) == set(operations), set(operations) ^ set(requests)
    unexpected_allows, unexpected_refusals, errors = [], [], []
    for name in operations:
        rule = policy.TOKEN_POLICY[name]
        for actor in STAFF_ACTORS:
            got = requests[name](tokens[actor])
            want = expected(rule, actor, scene)
            if got == "error":
                errors.append(f"{name} as {actor}: server error")
            elif got == "allowed" and not want:
                unexpected_allows.append(f"{name} as {actor}")
            elif got == "refused" and want:
                unexpected_refusals.append(f"{name} as {actor}")
    print(f"API matrix: {len(operations)} operations x {len(STAFF_ACTORS)} tokens, "
          f"{len(operations) * len(STAFF_ACTORS)} requests")  # fmt: skip
    assert not unexpected_allows, "Let in against the policy:\n" + "\n".join(unexpected_allows)
    assert not errors, "\n".join(errors)
    assert not unexpected_refusals, "Kept out against the policy:\n" + "\n".join(
        unexpected_refusals
    )
