"""People and their platform roles in the admin (superusers only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class TsunagariUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "display_name", "is_staff", "is_superuser"]
