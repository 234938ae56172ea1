"""Django admin for the directory's reference data: which partnership organisation works
each directory organisation's referrals (its light login), and the taxonomies. Listings
themselves come from feeds and the curators' queue."""

from django.contrib import admin

from .models import DirectoryOrganisation, Taxonomy, TaxonomyTerm


@admin.register(DirectoryOrganisation)
class DirectoryOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "oruk_id", "partner")
    list_filter = ("partner__type",)
    search_fields = ("name", "oruk_id")
    fields = ("name", "partner")
    readonly_fields = ("name",)
    autocomplete_fields = ("partner",)


@admin.register(Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name", "oruk_id", "version")
    search_fields = ("name",)


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "taxonomy")
    list_filter = ("taxonomy",)
    search_fields = ("name", "code")
