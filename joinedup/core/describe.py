"""Who did what, in plain English: audit events as a resident reads them in "My data"
(and as staff read a record's audit list), and staff names with their titles.

An audit action is a code (``person.view.plan``, ``care.assessment.change``); this is the
one place that says what each code means. ``tests/unit/core/test_describe.py`` reads the
source for every code that ``record_audit`` is given and checks each has a description.

>>> action_text("person.view.plan", to_person=True)
'looked at your care plan'
>>> action_text("care.referral.accepted")
'accepted a referral'
"""

from __future__ import annotations

from joinedup.core.jinja_env import nhs_date
from joinedup.core.models import Membership, Role

# In a description "{your}" reads "your" to the person and "the" to staff, "{you}" reads
# "you" and "the person", "{yours}" reads "your" and "the person's".
ACTIONS = {
    # The record itself
    "person.create": "added {your} record",
    "person.update": "changed {yours} details (name, address or contact details)",
    "person.search": "searched for people",
    "person.break_glass": "opened {your} record in an emergency (break glass)",
    "person.refused": "tried to open {your} record and was refused",
    "person.sharing_choices": "changed {yours} choices about sharing {your} record",
    "person.merge": "joined two records of {you} into one",
    "person.unmerge": "separated two records of {you} that had been joined",
    "people.bulk_load": "loaded residents' records from a file",
    "relationship.add": "added a carer or contact to {your} record",
    "relationships.bulk_load": "loaded carers and contacts from a file",
    "people.bulk_details": "added residents' phone numbers, communication needs and opt-outs",
    "identity.link": "matched records from different organisations",
    "identity.load": "loaded records from an organisation to match",
    "identity.merge.compare": "compared two records of {you} before joining them",
    "identity.review.view": "looked at records that might be the same person",
    "ingest.events": "loaded health events from an organisation's file",
    "ingest.fhir": "loaded health records from an organisation's file",
    "ingest.adt": "received a message from a hospital's live feed",
    "ingest.adt.refused": "refused a message from a hospital's live feed",
    "ingest.adt.retry": "applied a kept message from a hospital's live feed",
    # Care coordination
    "care.caseload.build": "updated the list of people offered coordinated care",
    "care.caseload.view": "looked at the list of people offered coordinated care",
    "care.caseload.stage": "moved {your} coordinated care to its next step",
    "care.caseload.offer": "recorded whether {you} want a care and support plan",
    "care.caseload.mdt_flag": "asked for {you} to be discussed at a team meeting",
    "care.team.join": "added someone to {your} care team",
    "care.team.leave": "took someone off {your} care team",
    "care.plan.change": "changed {your} care and support plan",
    "care.assessment.start": "started an assessment of {your} needs",
    "care.assessment.change": "wrote part of {your} assessment",
    "care.assessment.complete": "finished {your} assessment",
    "care.mdt.schedule": "arranged a care team meeting",
    "care.mdt.agenda": "put {you} on the list to discuss at a care team meeting",
    "care.mdt.invite": "invited someone to a care team meeting",
    "care.mdt.discussion": "wrote down what a care team meeting said about {you}",
    "care.mdt.minutes": "wrote the notes of a care team meeting",
    "care.mdt.view": "looked at a care team meeting",
    "care.review.raise": "asked for {your} plan to be reviewed",
    "care.review.withdraw": "cancelled a review of {your} plan the hospital's news had asked for",
    "care.hospital.event": "recorded news from the hospital about {you} (an admission, "
    "an A&E visit, a move or a discharge)",
    "care.task.view": "looked at a task about {you}",
    "care.message.from_person": "sent a message to {your} care team",
    "care.conversation.write": "wrote to {your} care team",
    "care.conversation.reply": "replied to {yours} message",
    "care.conversation.handled": "marked {yours} message as dealt with",
    # Services and referrals
    "directory.import": "updated the list of local services",
    "directory.problem_report": "reported a problem with a service's details",
    "directory.problem_resolved": "dealt with a problem reported in a service's details",
    "directory.referral.create": "referred {you} to a service",
    "directory.referral.outcome": "recorded what happened with {yours} referral",
    "directory.shortlist_given": "gave {you} a list of services that could help",
    "directory.update_answered": "answered a request to check a service's details",
    "directory.update_requests": "asked services to check their details",
    "directory.verified": "checked a service's details",
    # The portal (the person, or a carer they chose)
    "portal.invite": "invited {you} to see {your} plan online",
    "portal.account.create": "set up an account to see {your} plan online",
    "portal.sign_in": "signed in online",
    "portal.two_factor.on": "turned on two-factor sign-in",
    "portal.proxy.grant": "let a carer see parts of {your} plan",
    "portal.proxy.accept": "accepted being able to see parts of {your} plan",
    "portal.proxy.revoke": "stopped a carer seeing {your} plan",
    "portal.proxy.view": "looked at the parts of {your} plan shared with them",
    "portal.proxy.messages": "read {yours} messages with {your} care team",
    # Population health and the partnership
    "codelists.import": "loaded lists of clinical codes",
    "cohort.save": "saved a group of people to look at",
    "population.run": "worked out the population figures",
    "population.backfill": "worked out the population figures as of a past month",
    "outcomes.snapshot": "worked out the month's outcome indicators",
    "outcomes.export": "downloaded the month's outcome indicators",
    "outcomes.pack": "made a board's monthly pack",
    "outcomes.pack.release": "released a board pack to the public",
    "population.export_aggregates": "downloaded population figures",
    "population.risk_model.train": "trained a new version of the admission risk model",
    "population.risk_model.score": "worked out the risk of emergency admission",
    "synth.load": "made a practice borough",
    "backup.write": "made a backup",
    "backup.restore": "restored a backup",
    "organisation.create": "added an organisation",
    "organisation.switch": "switched to working for another organisation",
    "team.create": "added a team",
    "user.create": "added a member of staff",
    "user.set_known_password": "gave a member of staff the demo's password",
    "membership.add": "gave a member of staff a role",
    "membership.change": "changed a member of staff's role or team",
    "membership.deactivate": "stopped a member of staff's access",
    "membership.reactivate": "gave a member of staff their access back",
    "staff.set_password_link": "sent a member of staff a link to set their password",
    "user.password_set": "set their password",
    "api_token.create": "made a key for a computer system to connect",
    "user.2fa_setup_started": "started setting up two-factor sign-in",
    "user.2fa_confirmed": "turned on two-factor sign-in",
    "postcodes.load": "loaded the list of postcodes",
    "places.load": "loaded the partnership's places from a file",
    "lsoas.load": "loaded areas and their deprivation from a file",
    "organisations.load": "loaded organisations from a file",
    "staff.load": "loaded staff from a file",
    "people.load": "loaded the registered population from a file",
    "user.sign_in": "signed in",
    "job.rerun": "ran a failed background job again",
    "job.start": "started a background job",
    "place_settings.change": "changed the settings of a place",
    "user.sign_out": "signed out",
    # Engagement
    "engagement.panel.join": "joined the citizens' panel",
    "engagement.panel.leave": "left the citizens' panel",
    "engagement.panel.demo": "made a practice citizens' panel",
    "engagement.margins.load": "loaded the borough's population figures for fair selection",
    "engagement.survey.create": "wrote a survey",
    "engagement.survey.send": "sent a survey to the citizens' panel",
    "engagement.survey.answer": "answered a survey",
    "engagement.event.add": "recorded an engagement event",
    "engagement.feedback.add": "recorded a comment from a resident",
    "engagement.feedback.import": "loaded comments from residents",
    "engagement.feedback.theme": "said what a resident's comment is about",
    "engagement.theme.add": "added a theme for residents' comments",
    "engagement.assembly.create": "set up a citizens' assembly",
    "engagement.assembly.pool.panel": "added panel members to a citizens' assembly's pool",
    "engagement.assembly.pool.replies": "added replies to a citizens' assembly's pool",
    "engagement.assembly.quotas": "set the make-up of a citizens' assembly",
    "engagement.assembly.select.start": "started choosing a citizens' assembly",
    "engagement.assembly.select.draw": "chose the members of a citizens' assembly",
    "engagement.assembly.invitation.answer": "answered an invitation to a citizens' assembly",
    "engagement.assembly.session.add": "added a citizens' assembly session",
    "engagement.assembly.speaker.add": "added a speaker to a citizens' assembly",
    "engagement.assembly.question.add": "added a question for a citizens' assembly",
    "engagement.assembly.attendance": "recorded who came to a citizens' assembly session",
    "engagement.assembly.groups": "put a citizens' assembly into groups",
    "engagement.assembly.recommendation.add": "added a citizens' assembly recommendation",
    "engagement.assembly.votes": "recorded a citizens' assembly's votes",
    "engagement.assembly.finish": "finished a citizens' assembly",
    "engagement.board.add": "set up a partnership board",
    "engagement.board.member": "added a member to a partnership board",
    "engagement.board.member.remove": "took a member off a partnership board",
    "engagement.board.meeting": "arranged a partnership board meeting",
    "engagement.board.agenda": "added to a partnership board's agenda",
    "engagement.board.minutes": "wrote a partnership board's minutes",
    "engagement.board.decision": "recorded a partnership board decision",
    "engagement.board.decision.update": "recorded progress on a partnership board decision",
}

# ``person.view.<page>`` (staff) and ``portal.view.<page>`` (the person online).
PAGES = {
    "summary": "{your} record",
    "care": "{your} care record",
    "plan": "{your} care plan",
    "plan pdf": "{your} care plan (to print)",
    "plan easy read": "the easy read version of {your} care plan",
    "plan versions": "the changes to {your} care plan",
    "assessment": "{your} assessment",
    "assessments": "{your} assessments",
    "audit": "who has looked at {your} record",
    "fhir audit": "who has looked at {your} record",
    "api": "{your} record through another computer system",
    "mdt": "what a care team meeting said about {you}",
    "portal invite": "{your} invitation to see {your} plan online",
    "directory search": "services that could help {you}",
    "directory shortlist": "a list of services for {you}",
    "directory shortlist pdf": "a list of services for {you} (to print)",
    "directory referral": "a referral for {you}",
    "referral outcome": "a referral for {you}, to record how {you} felt at the end",
    "messages": "{yours} messages with {your} care team",
    "home": "the home page",
    "my data": "who has looked at {your} record",
    "shortlist": "a list of services from {your} care team",
    "proxy plan": "the plan of someone they care for",
    "proxy messages": "the messages of someone they care for",
}

TASK_KINDS = {
    "task": "a task about {you}",
    "referral": "a referral",
    "review": "a review of {your} plan",
    "message": "a message from {you}",
}
TASK_MOVES = {
    "create": "asked for {kind}",
    "requested": "asked again for {kind}",
    "accepted": "accepted {kind}",
    "rejected": "turned down {kind}",
    "in-progress": "started work on {kind}",
    "completed": "finished {kind}",
    "cancelled": "cancelled {kind}",
}

# Codes with a part that changes: the part before the last dot, and what the whole reads.
FAMILIES = {
    "engagement.assembly.member": "changed whether someone is a citizens' assembly member",
    "engagement.assembly.recommendation": "recorded a citizens' assembly's recommendation",
    "identity.review": "decided whether two records are the same person",
}

WORDS = {
    True: {"your": "your", "you": "you", "yours": "your"},
    False: {"your": "the", "you": "the person", "yours": "the person's"},
}


def _template(action: str) -> str | None:
    if action in ACTIONS:
        return ACTIONS[action]
    for prefix, verb in (("person.view.", "looked at "), ("portal.view.", "looked at ")):
        if action.startswith(prefix) and action[len(prefix) :] in PAGES:
            return verb + PAGES[action[len(prefix) :]]
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "care" and (parts[1] in TASK_KINDS or parts[1] == "*"):
        # care.<task kind>.<create or the status it moved to>
        kind = TASK_KINDS.get(parts[1], "a task about {you}")
        return TASK_MOVES.get(parts[2], "updated {kind}").replace("{kind}", kind)
    return FAMILIES.get(action.rpartition(".")[0])


def action_text(action: str, *, to_person: bool = False) -> str | None:
    """What the action did, as a phrase without a subject ("looked at your care plan"),
    or None for a code nobody described. ``to_person`` speaks to the person the record
    is about; otherwise it reads for staff ("looked at the care plan")."""
    template = _template(action)
    return template.format(**WORDS[to_person]) if template is not None else None


def what(action: str, *, to_person: bool = False) -> str:
    """The action as a sentence fragment starting with a capital, for a table's "What"
    column; an undescribed code is shown as it is rather than hidden."""
    text = action_text(action, to_person=to_person) or f"did something recorded as {action}"
    return text[0].upper() + text[1:]


TITLES = {
    Role.GP: "Dr",
    Role.HOSPITAL_SPECIALIST: "Dr",
    Role.PRACTICE_NURSE: "Nurse",
    Role.COMMUNITY_NURSE: "Nurse",
}


def staff_name(user, role: str = "") -> str:
    """A member of staff as a resident would address them: "Nurse Ewa Nowak",
    "Dr Asha Patel", or "Sam Turner (care coordinator)" where the role has no title."""
    name = user.get_full_name() or user.username
    if role in TITLES:
        return f"{TITLES[role]} {name}"
    if role in Role.values:
        return f"{name} ({Role(role).label.lower()})"
    return name


def roles_for(events) -> dict[tuple[int, int], str]:
    """The role each (user, organisation) of these events works in, for titles (one
    query). Events that recorded the role (``detail["role"]``) use that instead."""
    pairs = {(e.user_id, e.organisation_id) for e in events if e.user_id and e.organisation_id}
    if not pairs:
        return {}
    roles = {}
    for user_id, organisation_id, role in (
        Membership.objects.filter(
            user_id__in={u for u, _ in pairs}, organisation_id__in={o for _, o in pairs}
        )
        .order_by("-active", "pk")
        .values_list("user_id", "organisation_id", "role")
    ):
        roles.setdefault((user_id, organisation_id), role)
    return roles


def who(event, *, to_person: bool = False, roles: dict | None = None) -> str:
    """Who did it: a member of staff with their title and organisation, the person
    themself (or their carer) online, or the system."""
    if event.user_id:
        role = (event.detail or {}).get("role") or (roles or {}).get(
            (event.user_id, event.organisation_id), ""
        )
        name = staff_name(event.user, role)
        return f"{name} at {event.organisation.name}" if event.organisation_id else name
    carer = (event.detail or {}).get("as") == "carer"
    if carer or event.action in (
        "portal.proxy.view",
        "portal.proxy.accept",
        "portal.proxy.messages",
    ):
        return "Your carer" if to_person else "Their carer, online"
    if event.action.startswith("portal.") or event.action == "care.conversation.write":
        return "You" if to_person else "The person, online"
    return "The system"


def describe(event, *, to_person: bool = False, roles: dict | None = None) -> str:
    """One sentence: who did what, and when.

    "Nurse Ewa Nowak at Community Health Trust looked at your care plan on 3 March 2026
    at 10:15"."""
    text = action_text(event.action, to_person=to_person) or (
        f"did something recorded as {event.action}"
    )
    sentence = f"{who(event, to_person=to_person, roles=roles)} {text} on {nhs_date(event.at)}"
    if event.reason:
        sentence += f". The reason given: {event.reason}"
    return sentence
