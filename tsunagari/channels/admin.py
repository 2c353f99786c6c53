from django.contrib import admin

from .models import LineChannel


@admin.register(LineChannel)
class LineChannelAdmin(admin.ModelAdmin):
    list_display = ("platform", "enabled")
    # The secret and the token are write-mostly: shown as password-like inputs would be better,
    # but admins must be able to correct a pasted value, so they stay plain fields.
    fields = ("platform", "enabled", "channel_secret", "access_token")
