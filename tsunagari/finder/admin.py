from django.contrib import admin

from tsunagari.accounts.admin_filters import PLATFORM_FILTER

from .models import FinderSettings, NeedDailyCount


@admin.register(FinderSettings)
class FinderSettingsAdmin(admin.ModelAdmin):
    list_display = ("platform", "store_text")


@admin.register(NeedDailyCount)
class NeedDailyCountAdmin(admin.ModelAdmin):
    list_display = ("platform", "date", "need_code", "count")
    list_filter = (PLATFORM_FILTER,)
