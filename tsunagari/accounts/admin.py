"""People, platform roles and invitations in the admin (superusers only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .admin_filters import PLATFORM_FILTER
from .models import Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(User)
class TsunagariUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "display_name", "is_staff", "is_superuser"]
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ["display_name"]}))  # type: ignore[misc]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "platform", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", PLATFORM_FILTER]
    search_fields = ["email"]
    raw_id_fields = ["organization", "invited_by"]
    readonly_fields = ["created_at", "accepted_at", "revoked_at"]
