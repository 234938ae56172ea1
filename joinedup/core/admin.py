"""Django admin for reference data: places, organisations, LSOAs, postcodes and staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    AuditEvent,
    LocalCareNetwork,
    Lsoa,
    Membership,
    Neighbourhood,
    Organisation,
    Place,
    Postcode,
    System,
    Team,
    User,
)

admin.site.site_header = "joinedup reference data"


@admin.register(System, Place, LocalCareNetwork, Neighbourhood)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Lsoa)
class LsoaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "imd_decile", "neighbourhood")
    list_filter = ("imd_decile", "neighbourhood")
    search_fields = ("code", "name")


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin):
    list_display = ("postcode", "lsoa")
    search_fields = ("postcode",)
    raw_id_fields = ("lsoa",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "type", "neighbourhood")
    list_filter = ("type",)
    search_fields = ("name", "ods_code")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the trail is never edited."""

    list_display = ("at", "user", "organisation", "action", "person_id")
    list_filter = ("action",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
