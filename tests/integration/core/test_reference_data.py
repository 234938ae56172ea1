import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from joinedup.core import actions
from joinedup.core.models import ApiToken, AuditEvent, OrganisationType, Postcode, Role


def write(tmp_path, text: str, encoding="utf-8", name="onspd.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_postcode_lookup_loads_and_is_idempotent(world, tmp_path):
    path = write(
        tmp_path,
        "pcd,pcds,lsoa21cd,imd\n"
        "JU1  3AB,JU1 3AB,E01990001,1\n"
        "JU2  4CD,ju24cd,E01990002,10\n"
        "NW1  2DB,NW1 2DB,E01000907,5\n",  # another borough's postcode: skipped
    )
    report = actions.load_postcode_lookup(by=None, path=path)
    assert (report.rows, report.created, report.updated, report.skipped_other_areas) == (3, 2, 0, 1)
    assert Postcode.objects.get(postcode="JU2 4CD").lsoa == world.lsoa_b
    again = actions.load_postcode_lookup(by=None, path=path)
    assert (again.created, again.updated) == (0, 0)


def test_a_postcode_can_move_lsoa(world, tmp_path):
    path = write(tmp_path, "pcds,lsoa11cd\nJU1 1AA,E01990002\n")
    assert actions.load_postcode_lookup(by=None, path=path).updated == 1
    assert Postcode.objects.get(postcode="JU1 1AA").lsoa == world.lsoa_b


def test_postcode_coordinates_are_loaded_when_the_file_has_them(world, tmp_path):
    path = write(
        tmp_path,
        "pcds,lsoa21cd,lat,long\n"
        "JU1 3AB,E01990001,51.5412,-0.1023\n"
        "JU2 4CD,E01990002,99.999999,0\n",
    )
    actions.load_postcode_lookup(by=None, path=path)
    found = Postcode.objects.get(postcode="JU1 3AB")
    assert (found.latitude, found.longitude) == (51.5412, -0.1023)
    # ONSPD's "no grid reference" is kept as unknown, not as a place in the sea.
    assert Postcode.objects.get(postcode="JU2 4CD").latitude is None


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("pcds,lsoa21cd,lat,long\nJU1 3AB,E01990001,north,0\n", "utf-8", "row 2, lat"),
        ("pcds,lsoa21cd,lat,long\nJU1 3AB,E01990001,40.1,0\n", "utf-8", "outside"),
        ("postcode,ward\nJU1 3AB,x\n", "utf-8", "needs a postcode column"),
        (
            "pcds,lsoa21cd\nJU1 3AB,E01990001\nnot-a-postcode,E01990001\n",
            "utf-8",
            "row 3, field pcds",
        ),
        ("pcds,lsoa21cd\nJU1 3AB,garbage\n", "utf-8", "row 2, field lsoa21cd"),
        ("pcds,lsoa21cd\nJU1 3AB,E01990001 é\n", "latin-1", "not UTF-8"),
        ("", "utf-8", "no header"),
    ],
)
def test_bad_postcode_files_name_the_problem_and_keep_nothing(
    world, tmp_path, text, encoding, message
):
    before = Postcode.objects.count()
    with pytest.raises(ValidationError, match=message):
        actions.load_postcode_lookup(by=None, path=write(tmp_path, text, encoding))
    assert Postcode.objects.count() == before


def test_load_postcodes_command(world, tmp_path, capsys):
    path = write(tmp_path, "pcds,lsoa21cd\nJU1 3AB,E01990001\n")
    call_command("load_postcodes", str(path))
    assert "1 postcodes added" in capsys.readouterr().out
    with pytest.raises(CommandError, match="needs a postcode column"):
        call_command("load_postcodes", str(write(tmp_path, "a,b\n1,2\n", name="bad.csv")))


def test_organisation_rules(world):
    with pytest.raises(ValidationError, match="already in use"):
        actions.create_organisation(
            by=None, name="Copy", type=OrganisationType.GP_PRACTICE, ods_code="z00001"
        )
    with pytest.raises(ValidationError, match="needs a name"):
        actions.create_organisation(by=None, name=" ", type=OrganisationType.VOLUNTARY)
    group = actions.create_organisation(by=None, name="Lunch club", type=OrganisationType.VOLUNTARY)
    assert group.ods_code is None
    assert AuditEvent.objects.filter(action="organisation.create", object_id=group.pk).exists()


def test_token_command_prints_a_token_that_is_stored_hashed(world, capsys):
    user = world.user(Role.GP, world.practice_a, username="tokenuser")
    call_command("token", "create", "--user", "tokenuser")
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    stored = ApiToken.objects.get(user=user)
    assert token not in stored.token_hash and stored.organisation == world.practice_a
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "--user", "nobody")
