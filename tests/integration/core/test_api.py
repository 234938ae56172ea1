from django.core.management import call_command

from joinedup.core.models import AuditEvent, Role


def token_for(username, capsys):
    call_command("token", "create", "--user", username)
    return capsys.readouterr().out.strip()


def test_token_gives_access_as_its_user_and_organisation(world, client, capsys):
    world.user(Role.GP, world.practice_a, username="apigp")
    token = token_for("apigp", capsys)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["ods_code"] == "Z00001" and me.json()["role"] == "gp"


def test_people_api_follows_the_access_rule_and_audits(world, client, capsys):
    mine = world.person()
    theirs = world.person(practice=world.practice_b)
    gp = world.user(Role.GP, world.practice_a, username="apigp")
    auth = {"Authorization": f"Bearer {token_for('apigp', capsys)}"}
    ok = client.get(f"/api/people/{mine.pk}", headers=auth)
    assert ok.status_code == 200
    assert ok.json()["nhs_number"] == mine.nhs_number
    assert ok.json()["imd_quintile"] == 1 and ok.json()["access_basis"] == "registered_practice"
    assert AuditEvent.objects.filter(action="person.view.api", user=gp, person_id=mine.pk).exists()
    assert client.get(f"/api/people/{theirs.pk}", headers=auth).status_code == 403
    assert client.get("/api/people/999999", headers=auth).status_code == 403


def test_missing_wrong_or_revoked_tokens_are_refused(world, client, capsys):
    from django.utils import timezone

    from joinedup.core.models import ApiToken

    person = world.person()
    world.user(Role.GP, world.practice_a, username="apigp")
    token = token_for("apigp", capsys)
    assert client.get(f"/api/people/{person.pk}").status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Basic {token}"}).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_analyst_token_sees_no_one(world, client, capsys):
    person = world.person()
    world.user(Role.ANALYST, world.practice_a, username="apianalyst")
    auth = {"Authorization": f"Bearer {token_for('apianalyst', capsys)}"}
    assert client.get(f"/api/people/{person.pk}", headers=auth).status_code == 403


def test_openapi_is_published(db, client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/people/{person_id}" in schema["paths"]
