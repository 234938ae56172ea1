"""The holistic assessment (FHIR Questionnaire / QuestionnaireResponse): told once from
what is known, each answer with its source; sensitive parts and objections to sharing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from joinedup.care import actions, assessment
from joinedup.care.models import Assessment, CaseloadEntry, Stage
from joinedup.identity.models import AgencyLoad, Band, SourceRecord
from joinedup.people import access
from joinedup.people.actions import add_relationship, set_sharing_choices


def test_the_questionnaire_is_valid_fhir_and_reads_back():
    resource = assessment.questionnaire_resource()
    Questionnaire.model_validate(resource)
    domains = assessment.domains_from_resource(resource)
    assert [d.link_id for d in domains] == [d.link_id for d in assessment.DOMAINS]
    assert {d.link_id for d in domains if d.sensitive} == {"wellbeing", "safety"}
    titles = " ".join(d.title for d in domains).lower()
    for covered in (
        "physical health and medicines",
        "mental and emotional wellbeing",
        "memory",
        "mobility and falls",
        "daily living",
        "housing",
        "money, benefits and work",
        "loneliness",
        "caring role and the carer's own needs",
        "what matters to me",
    ):
        assert covered in titles
    answers = {"mobility.falls": "2", "money.worries": "yes", "loneliness.how_often": "often"}
    response = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{resource['url']}|{resource['version']}",
        "status": "completed",
        "item": assessment.response_items(domains, answers),
    }
    QuestionnaireResponse.model_validate(response)
    falls = response["item"][0]["item"][0]
    assert falls == {
        "linkId": "mobility.falls",
        "text": "How many falls in the last 12 months?",
        "answer": [{"valueInteger": 2}],
    }


@pytest.fixture
def known(care):
    """Mary, with conditions (one a mental health condition), a carer on her record and a
    newer phone number from the council's extract."""
    world, person = care.world, care.person
    person.profiles.all().delete()
    world.profile(person, conditions=["hypertension", "copd", "depression"], efi_band="moderate")
    add_relationship(
        by=None, organisation=None, person=person, type="carer", contact_name="Sam Jones"
    )
    load = AgencyLoad.objects.create(
        agency=care.asc,
        file_name="asc.csv",
        sha256="1" * 64,
        loaded_at=timezone.now() + timedelta(minutes=5),
    )
    SourceRecord.objects.create(
        agency=care.asc,
        load=load,
        local_id="A1",
        given_name="Mary",
        family_name="Jones",
        birth_date=person.birth_date,
        phone="07700 900123",
        person=person,
        band=Band.AUTO,
    )
    return care


def test_an_assessment_starts_with_what_is_known_and_its_sources(known):
    care = known
    gp = care.m[care.gp]
    item = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    assert item.answers["physical.conditions"] == "Hypertension, COPD"
    assert item.answers["wellbeing.conditions"] == "Depression"
    assert item.answers["mobility.frailty"] == "Moderate"
    assert item.sources["physical.conditions"]["source"] == "GP coded record (population run)"
    assert item.answers["caring.carer"] == "Sam Jones"
    # The council's record is newer than the registered one: its phone wins, named.
    assert item.answers["communication.phone"] == "07700 900123"
    assert item.sources["communication.phone"]["source"] == "Council ASC record"
    assert item.sources["communication.phone"]["prefilled"] is True
    # One at a time: starting again carries on with the same one.
    again = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    assert again.pk == item.pk


def test_answers_keep_their_source_unless_changed_and_bad_input_is_refused(known):
    care = known
    gp = care.m[care.gp]
    item = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    data = {
        "communication.language": "English",
        "communication.interpreter": "",
        "communication.needs": "",
        "communication.phone": "07700 900123",
    }
    item = actions.save_assessment_domain(
        by=care.gp, membership=gp, item=item, base_version=1, domain="communication", data=data
    )
    assert item.sources["communication.phone"]["source"] == "Council ASC record"
    assert "communication" in item.checked
    item = actions.save_assessment_domain(
        by=care.gp,
        membership=gp,
        item=item,
        base_version=2,
        domain="communication",
        data={**data, "communication.phone": "020 7946 0000"},
    )
    assert item.answers["communication.phone"] == "020 7946 0000"
    assert item.sources["communication.phone"]["source"].startswith("Asked by")
    assert item.sources["communication.phone"]["prefilled"] is False

    def save(domain, **answers):
        return actions.save_assessment_domain(
            by=care.gp,
            membership=gp,
            item=item,
            base_version=item.version,
            domain=domain,
            data=answers,
        )

    with pytest.raises(ValidationError) as bad:
        save("mobility", **{"mobility.falls": "lots", "mobility.walking": "flying"})
    assert set(bad.value.message_dict) == {"mobility.falls", "mobility.walking"}
    with pytest.raises(ValidationError, match="2000 characters or fewer"):
        save("what_matters", **{"what_matters.text": "x" * 2001})
    with pytest.raises(ValidationError, match="No such part"):
        save("nonsense")
    with pytest.raises(actions.StaleEdit, match="after you opened it"):
        actions.save_assessment_domain(
            by=care.gp, membership=gp, item=item, base_version=1, domain="memory", data={}
        )
    assert Assessment.objects.get().version == 3  # nothing partial kept


def test_completing_moves_the_caseload_and_the_next_assessment_starts_from_it(known):
    care = known
    gp = care.m[care.gp]
    actions.build_caseload(by=None)
    item = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    item = actions.save_assessment_domain(
        by=care.gp,
        membership=gp,
        item=item,
        base_version=1,
        domain="loneliness",
        data={"loneliness.how_often": "often", "loneliness.detail": "Only the carer"},
    )
    actions.complete_assessment(by=care.gp, membership=gp, item=item, base_version=2)
    assert CaseloadEntry.objects.get().stage == Stage.ASSESSED
    with pytest.raises(ValidationError, match="completed"):
        actions.save_assessment_domain(
            by=care.gp, membership=gp, item=item, base_version=3, domain="memory", data={}
        )
    follow_up = actions.start_assessment(by=care.gp, membership=gp, person=care.person)
    assert follow_up.pk != item.pk
    assert follow_up.answers["loneliness.how_often"] == "often"
    assert follow_up.sources["loneliness.how_often"]["source"].startswith("Assessment of")
    # What matters, once said, starts the plan.
    follow_up = actions.save_assessment_domain(
        by=care.gp,
        membership=gp,
        item=follow_up,
        base_version=1,
        domain="what_matters",
        data={"what_matters.text": "Getting to my allotment"},
    )
    actions.complete_assessment(by=care.gp, membership=gp, item=follow_up, base_version=2)
    plan = actions.start_plan(by=care.gp, membership=gp, person=care.person)
    assert actions.current_content(plan)["about_me"]["what_matters"] == "Getting to my allotment"


def test_assessment_pages_escape_free_text_and_tell_stale_edits(known, client):
    care = known
    client.force_login(care.gp)
    start = client.post(reverse("care:assessments", args=[care.person.pk]))
    item = Assessment.objects.get()
    assert start.url == reverse("care:assessment", args=[care.person.pk, item.pk])
    page = client.get(start.url).content.decode()
    assert "Already known" in page and "Council ASC record" in page
    domain = reverse("care:assessment-domain", args=[care.person.pk, item.pk, "what_matters"])
    hostile = "<script>alert(1)</script>"
    response = client.post(domain, {"base_version": "1", "what_matters-text": hostile})
    assert response.status_code == 302
    page = client.get(start.url).content.decode()
    assert hostile not in page and "&lt;script&gt;" in page
    stale = client.post(domain, {"base_version": "1", "what_matters-text": "old"})
    assert stale.status_code == 409
    assert "after you opened it" in stale.content.decode()
    falls = reverse("care:assessment-domain", args=[care.person.pk, item.pk, "mobility"])
    bad = client.post(falls, {"base_version": "2", "mobility-falls": "-3"})
    assert bad.status_code == 400 and 'href="#mobility-falls"' in bad.content.decode()


def test_sensitive_parts_need_consent_for_voluntary_workers(known, client):
    care = known
    actions.add_team_member(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        organisation=care.vcs,
        user=care.volunteer,
        role="Befriender",
    )
    item = actions.start_assessment(by=care.gp, membership=care.m[care.gp], person=care.person)
    page_url = reverse("care:assessment", args=[care.person.pk, item.pk])
    wellbeing = reverse("care:assessment-domain", args=[care.person.pk, item.pk, "wellbeing"])
    summary = reverse("people:summary", args=[care.person.pk])

    client.force_login(care.volunteer)
    page = client.get(page_url).content.decode()
    assert "Withheld" in page and "Depression" not in page
    assert client.get(wellbeing).status_code == 403
    person_page = client.get(summary).content.decode()
    assert "Depression" not in person_page and "withheld: sensitive" in person_page

    client.force_login(care.gp)
    assert "Depression" in client.get(page_url).content.decode()
    assert client.get(wellbeing).status_code == 200

    set_sharing_choices(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        sensitive_sharing_consent=True,
        objects_to_sharing=False,
    )
    client.force_login(care.volunteer)
    assert "Depression" in client.get(page_url).content.decode()
    assert client.get(wellbeing).status_code == 200


def test_an_objection_to_sharing_switches_off_the_caseload_but_not_the_care_team(care):
    actions.build_caseload(by=None)
    coordinator = care.m[care.coordinator]
    assert access.access_basis(coordinator, care.person.pk) == "caseload"
    actions.add_team_member(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        organisation=care.asc,
        user=care.social,
        role="Social worker",
    )
    set_sharing_choices(
        by=care.gp,
        membership=care.m[care.gp],
        person=care.person,
        sensitive_sharing_consent=False,
        objects_to_sharing=True,
    )
    care.person.refresh_from_db()
    assert access.access_basis(coordinator, care.person.pk) is None
    assert care.person not in access.accessible_people(coordinator)
    assert access.access_basis(care.m[care.social], care.person.pk) == "care_team"
    assert access.access_basis(care.m[care.gp], care.person.pk) == "registered_practice"
