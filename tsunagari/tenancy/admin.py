"""Areas and platforms in the admin (superusers manage platforms; areas come from open data)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Municipality, Platform, Prefecture


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kana"]
    search_fields = ["name", "kana", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kana", "kind", "prefecture"]
    list_filter = ["kind", "prefecture"]
    search_fields = ["name", "kana", "code"]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Staff need the list for autocomplete on service areas.
        return request.user.is_active and request.user.is_staff


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "prefecture", "municipality", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["municipality"]
