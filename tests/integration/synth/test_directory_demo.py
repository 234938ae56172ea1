"""The demo directory makes sense: each service is run by an organisation that would run
it, the borough's own voluntary organisations are listed under their own names and work
their own referrals, and it builds at the demo's sizes."""

import re

import pytest
from django.core.management import call_command

from joinedup.core.models import Membership, Organisation, OrganisationType
from joinedup.directory.models import DirectoryOrganisation, Service
from joinedup.synth import directory as synth_directory


def _runs(organisation_name: str) -> set[str]:
    """What an organisation of this name's kind runs, by the synth's own tables."""
    name, runs = organisation_name.split(" (")[0], set()
    for kind, services in synth_directory.BOROUGH_VOLUNTARY.items():
        if name.endswith(f" {kind}"):
            runs |= set(services)
    for _, pattern, services in synth_directory.ORGANISATIONS:
        shape = re.escape(pattern).replace(r"\{area\}", ".+").replace(r"\{saint\}", ".+")
        if services and re.fullmatch(shape, name):
            runs |= set(services)
    for team, services in synth_directory.TEAMS:
        if name == f"Borough Council: {team}":
            runs |= set(services)
    for team, services in synth_directory.NHS_TEAMS:
        if name == f"Community Health Trust: {team}":
            runs |= set(services)
    assert runs, f"{organisation_name}: not a kind the demo knows"
    return runs


@pytest.mark.parametrize("residents", [1000, 2000])
def test_every_service_is_run_by_an_organisation_that_would_run_it(db, residents):
    call_command("synth", "--residents", str(residents), "--seed", "1")
    call_command("demo", "directory")
    services = list(Service.objects.select_related("organisation"))
    assert len(services) == 330
    for service in services:
        plain = service.name.split(" (")[0]
        assert plain in _runs(service.organisation.name), (service.name, service.organisation)
    # Nothing odd: befriending is not run by a diabetes course, nor benefits by a food bank.
    assert not Service.objects.filter(
        name__startswith="Befriending", organisation__name__contains="Diabetes"
    ).exists()
    # The borough's voluntary organisations are in the directory as themselves, and work
    # their own referrals, so the form, the inbox and the listing name the same one.
    voluntary = Organisation.objects.filter(type=OrganisationType.VOLUNTARY)
    for organisation in voluntary:
        entry = DirectoryOrganisation.objects.get(name=organisation.name)
        assert entry.partner == organisation and entry.services.exists()
    for entry in DirectoryOrganisation.objects.exclude(partner=None).select_related("partner"):
        assert entry.partner.name == entry.name or entry.name.startswith(
            ("Borough Council", "Community Health Trust")
        )
    # The demo's care navigator's organisation has services to be referred to.
    navigator = Membership.objects.get(user__username="navigator")
    assert Service.objects.filter(organisation__partner=navigator.organisation).exists()
