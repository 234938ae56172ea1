"""Backup and restore round trip: everything (every table, row for row, and the analytics
store and linkage model, byte for byte) comes back as it was; damaged backups are refused
before anything changes."""

import tarfile

import pytest
from django.core.management import CommandError, call_command

from joinedup.core.backup import _file_hashes, table_digests
from joinedup.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)  # pg_restore needs no open transaction


@pytest.fixture
def borough(settings, tmp_path):
    call_command("synth", "--residents", "300", "--seed", "3")
    call_command("population", "run")
    return settings.DATA_DIR


def test_round_trip_restores_everything_exactly(borough, tmp_path, capsys):
    before, files = table_digests(), _file_hashes(borough)
    assert any(name.startswith("analytics/") for name in files)
    backup = tmp_path / "backups" / "joinedup.tar"
    call_command("backup", "--out", str(backup))
    assert "tables" in capsys.readouterr().out
    # Things change after the backup: people go, a file is lost, another is changed.
    Person.objects.filter(pk__in=Person.objects.order_by("pk").values("pk")[:5]).delete()
    lost = next(p for p in files if p.endswith(".parquet"))
    (borough / lost).unlink()
    (borough / "analytics" / "stray.txt").write_text("not in the backup")
    assert table_digests() != before
    call_command("restore", str(backup), "--yes")
    assert "every one checked" in capsys.readouterr().out
    after = table_digests()
    # The restore itself is audited (one row more); everything else is as it was.
    assert {t: d for t, d in after.items() if t != "core_auditevent"} == {
        t: d for t, d in before.items() if t != "core_auditevent"
    }
    assert after["core_auditevent"]["rows"] == before["core_auditevent"]["rows"] + 2
    assert _file_hashes(borough) == files


def test_damaged_or_foreign_backups_change_nothing(borough, tmp_path):
    backup = tmp_path / "joinedup.tar"
    call_command("backup", "--out", str(backup))
    before = table_digests()
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(backup) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database"):
                # A hundred bytes in the middle of the database copy are garbled.
                middle = len(data) // 2
                garbled = bytes(b ^ 0xFF for b in data[middle : middle + 100])
                data = data[:middle] + garbled + data[middle + 100 :]
            member.size = len(data)
            target.addfile(member, __import__("io").BytesIO(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--yes")
    (tmp_path / "notes.tar").write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a joinedup backup"):
        call_command("restore", str(tmp_path / "notes.tar"), "--yes")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar"), "--yes")
    assert {t: d for t, d in table_digests().items() if t != "core_auditevent"} == {
        t: d for t, d in before.items() if t != "core_auditevent"
    }
