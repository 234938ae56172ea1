"""Who may open each page and endpoint: the declared policy the access matrix
(tests/integration/test_access_matrix.py) checks every URL against, as every kind of user.

Every named URL must have an entry; a new URL without one fails the matrix. The kinds:

- ``ANYONE``: public (residents with no account, providers, the API's readers).
- ``TOKEN``: a public link carrying a single-use token; a made-up token lets no one in.
- ``STAFF``: any signed-in member of staff.
- ``DIRECT_CARE``: staff in a role that gives direct care (``core.permissions``).
- ``PERSON``: direct-care staff with a legitimate relationship to the person in the URL
  (registered practice, care team, accepted referral, caseload, MDT agenda, break glass).
- ``PORTAL``: anyone signed in to the portal (residents and carers).
- ``RESIDENT``: a resident signed in to the portal (their own record only).
- ``OWN``: the resident whose goal, plan or shortlist it is.
- ``CARER``: a carer signed in to the portal, for the person who gave them access.
- ``CARE_TEAM``: direct-care staff in the person's care team (in person, or through their
  organisation or team), reached through ``people.access`` like ``PERSON``.
- ``TASK``: direct-care staff of the organisation that asked or was asked.
- ``ANY_TASK``: direct-care staff of an organisation that asked or was asked any of the
  person's tasks, referrals included.
- ``NOBODY``: an address that answers 404 (an API's bare root).
- ``API_TOKEN``: a JSON API that takes only a bearer token (a browser session gets nowhere).
- ``MDT``: staff of the organisation that runs the MDT meeting, and its attendees.
- ``PROVIDER``: direct-care staff of the organisation a referral was sent to.
- ``ACCEPTED_PROVIDER``: the same, once that organisation has accepted the referral (the
  page names the person, so it needs the relationship accepting gives).
- a set of roles: staff acting in one of those roles.
- ``SIGNED_OUT``: pages for signing in, which any visitor may open.
- ``OPERATOR``: for the server itself or the holder of the metrics token, never for a
  visitor, signed in or not (the matrix asks from another address; the rest is in
  tests/integration/operations/test_metrics.py).
"""

from joinedup.core.models import Role

ANYONE = "anyone"
TOKEN = "token"
STAFF = "staff"
DIRECT_CARE = "direct_care"
PERSON = "person"
CARE_TEAM = "care_team"
RESIDENT = "resident"
PORTAL = "portal"
CARER = "carer"
API_TOKEN = "api_token"
SIGNED_OUT = "signed_out"
MDT = "mdt"
PROVIDER = "provider"
ACCEPTED_PROVIDER = "accepted_provider"
TASK = "task"
ANY_TASK = "any_task"
OWN = "own"
NOBODY = "nobody"
OPERATOR = "operator"

# Forms that only take POST: a GET is refused (405) even for those who may use them, so
# the matrix checks only that everyone else's POST is refused.
POST_ONLY = frozenset({"care:person-update", "care:plan-start", "directory:shortlist-add",
                       "directory:verify", "identity:decide", "identity:unmerge",
                       "jobs:rerun", "jobs:start", "outcomes:make-pack"})  # fmt: skip

ENGAGEMENT = frozenset({Role.ENGAGEMENT_OFFICER, Role.SYSTEM_ADMIN})
CURATORS = frozenset({Role.DIRECTORY_CURATOR, Role.SYSTEM_ADMIN})
REVIEWERS = frozenset({Role.DATA_QUALITY, Role.SYSTEM_ADMIN})
# The matrix's organisation admin works for the organisation in the address.
ADMINS = frozenset({Role.ORG_ADMIN, Role.SYSTEM_ADMIN})
SYSTEM_ADMINS = frozenset({Role.SYSTEM_ADMIN})

POLICY = {
    # core
    "core:home": STAFF,
    "core:sign-in": SIGNED_OUT,
    "core:sign-in-code": SIGNED_OUT,
    "core:sign-out": ANYONE,
    "core:organisation": STAFF,
    "core:two-factor": STAFF,
    "core:set-password": TOKEN,
    "core:staff-home": ADMINS,
    "core:staff": ADMINS,
    "core:staff-add": ADMINS,
    "core:staff-member": ADMINS,
    "core:staff-access": ADMINS,
    "core:teams": ADMINS,
    "core:place-settings": ADMINS,
    "core:place-settings-edit": SYSTEM_ADMINS,
    # the background jobs
    "jobs:jobs": SYSTEM_ADMINS,
    "jobs:rerun": SYSTEM_ADMINS,
    "jobs:start": SYSTEM_ADMINS,
    # the hospitals' live feeds (counts and the quarantine's reasons)
    "ingest:adt": SYSTEM_ADMINS,
    "health": ANYONE,
    "metrics": OPERATOR,
    # people
    "people:search": DIRECT_CARE,
    "people:summary": PERSON,
    "people:break-glass": DIRECT_CARE,
    "people:audit": PERSON,
    # population
    # Suppressed aggregates only, so any member of staff (population/permissions.py).
    "population:dashboard": STAFF,
    "population:aggregates-csv": STAFF,
    # outcomes: the partnership's indicators, aggregates like the population figures.
    "outcomes:index": STAFF,
    "outcomes:indicator": STAFF,
    "outcomes:evaluation": STAFF,
    # Board packs: staff read them; engagement officers make and release them; the public
    # version of a released pack is for anyone (its token is in the public address).
    "outcomes:pack": STAFF,
    "outcomes:pack-pdf": STAFF,
    "outcomes:make-pack": ENGAGEMENT,
    "outcomes:public-pack": ANYONE,
    "outcomes:public-pack-pdf": ANYONE,
    # identity
    "identity:queue": REVIEWERS,
    "identity:pair": REVIEWERS,
    "identity:decide": REVIEWERS,
    "identity:merges": REVIEWERS,
    "identity:merge-new": REVIEWERS,
    "identity:unmerge": REVIEWERS,
    # care
    "care:caseload": DIRECT_CARE,
    "care:inbox": DIRECT_CARE,
    "care:reviews": DIRECT_CARE,
    "care:meetings": DIRECT_CARE,
    "care:meeting": MDT,
    "care:agenda-item": MDT,
    "care:task": TASK,
    "care:person": PERSON,
    "care:person-update": PERSON,
    "care:messages": CARE_TEAM,
    "care:team-add": PERSON,
    "care:sharing": PERSON,
    "care:task-new": PERSON,
    "care:assessments": PERSON,
    "care:assessment": PERSON,
    "care:assessment-domain": PERSON,
    "care:plan": PERSON,
    "care:plan-start": PERSON,
    "care:plan-review": PERSON,
    "care:plan-pdf": PERSON,
    "care:plan-versions": PERSON,
    "care:plan-section": PERSON,
    "care:plan-item-new": PERSON,
    "care:plan-item": PERSON,
    # portal
    "portal:home": PORTAL,
    "portal:sign-in": SIGNED_OUT,
    "portal:sign-out": ANYONE,
    "portal:sign-in-code": SIGNED_OUT,
    "portal:two-factor": PORTAL,
    "portal:join": TOKEN,
    "portal:plan": RESIDENT,
    "portal:plan-easy-read": RESIDENT,
    "portal:plan-pdf": RESIDENT,
    "portal:plan-change": OWN,
    "portal:goal": OWN,
    "portal:message": RESIDENT,
    "portal:my-data": RESIDENT,
    "portal:find-support": PORTAL,
    "portal:shortlist": OWN,
    "portal:service": PORTAL,
    "portal:report": PORTAL,
    "portal:carers": RESIDENT,
    "portal:proxy-accept": TOKEN,
    "portal:proxy-plan": CARER,
    "portal:proxy-messages": CARER,
    "portal:invite": PERSON,
    # directory
    "directory:search": STAFF,
    "directory:service": STAFF,
    "directory:refer-who": DIRECT_CARE,
    "directory:refer": PERSON,
    "directory:outcome": ACCEPTED_PROVIDER,
    "directory:report": STAFF,
    "directory:shortlist-add": PERSON,
    "directory:shortlist": PERSON,
    "directory:shortlist-pdf": PERSON,
    "directory:confirm": TOKEN,
    "directory:queue": CURATORS,
    "directory:resolve": CURATORS,
    "directory:verify": CURATORS,
    # engagement
    "engagement:home": ENGAGEMENT,
    "engagement:events": ENGAGEMENT,
    "engagement:feedback": ENGAGEMENT,
    "engagement:feedback-item": ENGAGEMENT,
    "engagement:give-feedback": ANYONE,
    "engagement:told-us": ENGAGEMENT,
    "engagement:surveys": ENGAGEMENT,
    "engagement:survey": ENGAGEMENT,
    "engagement:survey-answer": TOKEN,
    "engagement:boards": ENGAGEMENT,
    "engagement:board": ENGAGEMENT,
    "engagement:meeting": ENGAGEMENT,
    "engagement:join": ANYONE,
    "engagement:joined": ANYONE,
    "engagement:leave": TOKEN,
    "engagement:panel": ENGAGEMENT,
    "engagement:assemblies": ENGAGEMENT,
    "engagement:assembly": ENGAGEMENT,
    "engagement:selection": ENGAGEMENT,
    "engagement:members": ENGAGEMENT,
    "engagement:sessions": ENGAGEMENT,
    "engagement:session": ENGAGEMENT,
    "engagement:recommendations": ENGAGEMENT,
    "engagement:recommendation": ENGAGEMENT,
    "engagement:report": ENGAGEMENT,
    "engagement:report-pdf": ENGAGEMENT,
    "engagement:invitation": TOKEN,
    # JSON APIs: the FHIR and staff APIs take a bearer token; Open Referral is open.
    "api:openapi-json": ANYONE,
    "api:openapi-view": ANYONE,
    "api:api-root": NOBODY,
    "api:me": API_TOKEN,
    "api:get_person": API_TOKEN,
    "fhir:openapi-json": ANYONE,
    "fhir:openapi-view": ANYONE,
    "fhir:api-root": NOBODY,
    "fhir:metadata": ANYONE,
    "oruk:openapi-json": ANYONE,
    "oruk:openapi-view": ANYONE,
    "oruk:api-root": ANYONE,
    "oruk:root": ANYONE,
    "oruk:services": ANYONE,
    "oruk:service": ANYONE,
    "oruk:organizations": ANYONE,
    "oruk:organization": ANYONE,
    "oruk:taxonomies": ANYONE,
    "oruk:taxonomy": ANYONE,
    "oruk:taxonomy_terms": ANYONE,
    "oruk:taxonomy_term": ANYONE,
    "oruk:service_at_locations": ANYONE,
    "oruk:service_at_location": ANYONE,
}
# Every FHIR resource read and search takes a bearer token.
FHIR_TOKEN_PREFIXES = ("fhir:read_", "fhir:search_", "fhir:create_", "fhir:update_")
# Django's admin: system admins only (is_staff), checked on its index and two lists.
ADMIN_CHECKED = ("admin:index", "admin:core_auditevent_changelist", "admin:core_user_changelist")
ADMIN = frozenset({Role.SYSTEM_ADMIN})


# Bearer-token holders (staff: residents and carers have no tokens), for each operation of
# the JSON APIs on the matrix resident's records. Every API_TOKEN URL needs an entry.
TOKEN_POLICY = {
    "api:me": STAFF,
    "api:get_person": PERSON,
    # Care records are for staff who give direct care, and a person's through a relationship.
    "fhir:read_patient": PERSON,
    "fhir:search_patient": PERSON,
    "fhir:read_care_plan": PERSON,
    "fhir:search_care_plan": PERSON,
    "fhir:read_care_team": PERSON,
    "fhir:search_care_team": PERSON,
    "fhir:read_goal": PERSON,
    "fhir:search_goal": PERSON,
    "fhir:create_goal": PERSON,
    "fhir:update_goal": PERSON,
    "fhir:read_condition": PERSON,
    "fhir:search_condition": PERSON,
    "fhir:read_questionnaire_response": PERSON,
    "fhir:search_questionnaire_response": PERSON,
    "fhir:read_audit_event": PERSON,
    "fhir:search_audit_event": PERSON,
    "fhir:create_task": PERSON,
    # Tasks: the organisations that asked and were asked.
    "fhir:read_task": TASK,
    "fhir:search_task": ANY_TASK,
    "fhir:update_task": TASK,
    # Not about a person: any direct-care token.
    "fhir:read_organization": DIRECT_CARE,
    "fhir:search_organization": DIRECT_CARE,
    "fhir:read_practitioner": DIRECT_CARE,
    "fhir:search_practitioner": DIRECT_CARE,
    "fhir:read_practitioner_role": DIRECT_CARE,
    "fhir:search_practitioner_role": DIRECT_CARE,
    "fhir:read_questionnaire": DIRECT_CARE,
    "fhir:search_questionnaire": DIRECT_CARE,
}


def policy_for(name: str):
    if name in POLICY:
        return POLICY[name]
    if name.startswith(FHIR_TOKEN_PREFIXES):
        return API_TOKEN
    if name.startswith("admin:"):
        return ADMIN
    return None
