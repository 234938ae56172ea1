from django.urls import path

from .views import auth, home, places, staff

app_name = "core"


urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in", auth.sign_in, name="sign-in"),
    path("sign-in/code", auth.sign_in_code, name="sign-in-code"),
    path("sign-out", auth.sign_out, name="sign-out"),
    path("organisation", home.organisation, name="organisation"),
    path("account/two-factor", auth.two_factor, name="two-factor"),
    path("account/set-password", staff.set_password, name="set-password"),
    path("staff", staff.staff_home, name="staff-home"),
    path("organisations/<int:organisation_id>/staff", staff.staff, name="staff"),
    path("organisations/<int:organisation_id>/staff/new", staff.staff_add, name="staff-add"),
    path(
        "organisations/<int:organisation_id>/staff/<int:membership_id>",
        staff.staff_member,
        name="staff-member",
    ),
    path(
        "organisations/<int:organisation_id>/staff/<int:membership_id>/access",
        staff.staff_access,
        name="staff-access",
    ),
    path("organisations/<int:organisation_id>/teams", staff.teams, name="teams"),
    path("places/settings", places.compare, name="place-settings"),
    path("places/settings/<str:code>", places.edit, name="place-settings-edit"),
]
