from django.core.management import call_command
from django.urls import reverse

from joinedup.core.models import AuditEvent, Role
from joinedup.population import actions


def test_dashboard_shows_suppressed_figures_and_csv(world, client):
    analyst = world.user(Role.ANALYST, world.icb)
    client.force_login(analyst)
    empty = client.get(reverse("population:dashboard"))
    assert "There are no results yet" in empty.content.decode()


def test_dashboard_after_a_run(db, client):
    call_command("synth", "--residents", "800", "--seed", "2")
    actions.run_population(by=None)
    from joinedup.core.models import User

    client.force_login(User.objects.get(username="analyst"))
    page = client.get(reverse("population:dashboard"), {"by": "practice"}).content.decode()
    assert "Population health" in page and "<svg" in page
    assert "3 or more conditions" in page and "Hypertension" in page
    assert "Is the population realistic?" in page
    bad = client.get(reverse("population:dashboard"), {"by": "<script>alert(1)</script>"})
    assert bad.status_code == 200 and "alert(1)" not in bad.content.decode()
    response = client.get(reverse("population:aggregates-csv"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("dimension,stratum,measure,count")
    assert AuditEvent.objects.filter(action="population.export_aggregates").exists()


def test_signed_out_is_sent_to_sign_in(db, client):
    response = client.get(reverse("population:dashboard"))
    assert response.status_code == 302


def test_person_summary_shows_the_population_profile(db, client):
    from joinedup.core.models import User
    from joinedup.population.models import PersonProfile

    call_command("synth", "--residents", "800", "--seed", "2")
    actions.run_population(by=None)
    gp = User.objects.get(username="gp.b")
    practice = gp.memberships.get().organisation
    profile = PersonProfile.objects.filter(practice=practice, ltc_count__gte=2).first()
    client.force_login(gp)
    page = client.get(reverse("people:summary", args=[profile.person_id])).content.decode()
    assert "Long-term conditions" in page and "Cambridge Multimorbidity Score" in page
    assert f"{profile.ltc_count}" in page
