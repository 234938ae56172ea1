"""Every write to places, organisations, staff and the audit trail.

One module per subject; every action is re-exported here, so
``from joinedup.core.actions import record_audit`` works as before."""

from .accounts import (
    add_membership,
    confirm_two_factor,
    create_api_token,
    create_staff_user,
    set_known_password,
    start_two_factor_setup,
)
from .audit import record_audit, record_organisation_switch
from .organisations import create_organisation, create_team, validate_ods_code
from .postcodes import (
    PostcodeLoadReport,
    load_postcode_lookup,
    normalise_postcode,
    postcode_or_blank,
)
from .staff_admin import (
    StaffAdded,
    add_staff_member,
    change_membership,
    deactivate_membership,
    reactivate_membership,
    send_set_password_link,
    set_password_from_link,
)

__all__ = [
    "PostcodeLoadReport",
    "StaffAdded",
    "add_membership",
    "add_staff_member",
    "change_membership",
    "confirm_two_factor",
    "create_api_token",
    "create_organisation",
    "create_staff_user",
    "set_known_password",
    "create_team",
    "deactivate_membership",
    "load_postcode_lookup",
    "normalise_postcode",
    "postcode_or_blank",
    "reactivate_membership",
    "record_audit",
    "record_organisation_switch",
    "send_set_password_link",
    "set_password_from_link",
    "start_two_factor_setup",
    "validate_ods_code",
]
