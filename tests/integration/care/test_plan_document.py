"""The plan as a plain-English document and PDF."""

from django.urls import reverse

from joinedup.care import actions
from joinedup.care.documents import plan_html
from joinedup.care.models import CarePlan


def test_the_plan_pdf_is_plain_english_and_only_for_those_with_a_relationship(care, client):
    gp = care.m[care.gp]
    plan = actions.start_plan(by=care.gp, membership=gp, person=care.person)
    plan = actions.save_goal(
        by=care.gp,
        membership=gp,
        plan=plan,
        base_version=plan.version,
        data={"text": "Dance at my <b>granddaughter's</b> wedding", "progress": "started"},
    )
    actions.add_team_member(
        by=care.gp,
        membership=gp,
        person=care.person,
        organisation=care.asc,
        user=care.social,
        role="Social worker",
        is_key_worker=True,
    )
    html = plan_html(CarePlan.objects.get(), care.person)
    assert "My care and support plan" in html and "Mary JONES" in html
    assert "my key worker (my main contact)" in html
    assert "&lt;b&gt;granddaughter" in html and "<b>granddaughter" not in html
    client.force_login(care.gp)
    response = client.get(reverse("care:plan-pdf", args=[care.person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert len(body) > 5000
    client.force_login(care.volunteer)
    assert client.get(reverse("care:plan-pdf", args=[care.person.pk])).status_code in (302, 403)
