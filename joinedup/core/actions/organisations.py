"""Organisations and their teams, and the format of ODS codes."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import ODS_OPTIONAL_TYPES, Organisation, OrganisationType, Team, User
from ._common import _text
from .audit import record_audit
from .postcodes import normalise_postcode

# ODS codes by organisation type; anything else: 3–9 upper-case letters and digits.
_ODS_PATTERNS = {
    OrganisationType.GP_PRACTICE: (r"[A-Z]\d{5}", "a letter and five digits, e.g. F83004"),
    OrganisationType.PHARMACY: (r"F[A-Z0-9]{4}", "F and four letters or digits, e.g. FQ123"),
    OrganisationType.ACUTE_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RAL or RAL01"),
    OrganisationType.COMMUNITY_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RYX"),
    OrganisationType.MENTAL_HEALTH_TRUST: (r"[RT][A-Z0-9]{2}([A-Z0-9]{2})?", "e.g. RV3"),
}
_ODS_GENERIC = (r"[A-Z0-9]{3,9}", "3 to 9 capital letters and digits")


def validate_ods_code(code: str | None, organisation_type: str) -> str | None:
    """Check an ODS code's format for the organisation type; return it upper-cased."""
    if not code:
        if organisation_type in ODS_OPTIONAL_TYPES:
            return None
        raise ValidationError({"ods_code": "An ODS code is required for this organisation type"})
    code = code.strip().upper()
    pattern, example = _ODS_PATTERNS.get(organisation_type, _ODS_GENERIC)
    if not re.fullmatch(pattern, code):
        raise ValidationError({"ods_code": f"'{code}' is not a valid ODS code: expected {example}"})
    return code


@transaction.atomic
def create_organisation(
    *,
    by: User | None,
    name: str,
    type: str,
    ods_code: str | None = None,
    places: Iterable = (),
    neighbourhood=None,
    postcode: str = "",
) -> Organisation:
    """Create an organisation after checking its name, type and ODS code."""
    if type not in OrganisationType.values:
        raise ValidationError({"type": f"Unknown organisation type '{type}'"})
    if not (name or "").strip():
        raise ValidationError({"name": "An organisation needs a name"})
    code = validate_ods_code(ods_code, type)
    if code and Organisation.objects.filter(ods_code=code).exists():
        raise ValidationError({"ods_code": f"ODS code {code} is already in use"})
    org = Organisation.objects.create(
        name=name.strip(),
        type=type,
        ods_code=code,
        neighbourhood=neighbourhood,
        postcode=normalise_postcode(postcode) if postcode else "",
    )
    org.places.set(places)
    record_audit(
        by=by,
        action="organisation.create",
        object_type="organisation",
        object_id=org.pk,
    )
    return org


@transaction.atomic
def create_team(*, by: User | None, organisation: Organisation, name: str) -> Team:
    """A team of the organisation (e.g. "District nursing – Hood A"): a name it has no
    other team called, in any case."""
    name = _text(name, "name", "The team's name", 200, required="Enter the team's name")
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": f"{organisation.name} already has a team called {name}"})
    team = Team.objects.create(organisation=organisation, name=name)
    record_audit(
        by=by,
        organisation=organisation,
        action="team.create",
        object_type="team",
        object_id=team.pk,
        detail={"name": name},
    )
    return team
