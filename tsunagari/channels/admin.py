"""The LINE channel in the admin: the secret and the token can be replaced, never read back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import LineChannel

SECRET_FIELDS = ("channel_secret", "access_token")


def masked(value: str) -> str:
    """How a stored secret is shown: that it is set and its last four characters, to tell values apart."""
    if not value:
        return gettext("Not set")
    return gettext("Set (ends in …%(tail)s)") % {"tail": value[-4:]} if len(value) >= 16 else gettext("Set")


class LineChannelForm(forms.ModelForm):
    """Write-only secret fields: empty keeps the stored value; a new value replaces it; a box clears it."""

    channel_secret = forms.CharField(
        label=_("channel secret"), required=False, max_length=100, widget=forms.PasswordInput(render_value=False)
    )
    access_token = forms.CharField(
        label=_("channel access token"), required=False, max_length=500, widget=forms.PasswordInput(render_value=False)
    )
    clear_secrets = forms.BooleanField(
        label=_("Remove the stored secret and token"), required=False, help_text=_("The LINE channel stops working.")
    )

    class Meta:
        model = LineChannel
        fields = ("platform", "enabled", "channel_secret", "access_token")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            stored = getattr(self.instance, name, "") if self.instance.pk else ""
            self.fields[name].help_text = _("%(state)s. Type a new value only to replace it.") % {
                "state": masked(stored)
            }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in SECRET_FIELDS:
            value = (cleaned.get(name) or "").strip()
            if cleaned.get("clear_secrets"):
                cleaned[name] = ""
            elif not value:
                # An empty box means "keep": the stored value is never sent to the browser.
                cleaned[name] = getattr(self.instance, name, "") if self.instance.pk else ""
            else:
                cleaned[name] = value
        return cleaned


@admin.register(LineChannel)
class LineChannelAdmin(admin.ModelAdmin):
    form = LineChannelForm
    list_display = ("platform", "enabled", "secret_state", "token_state")
    fields = ("platform", "enabled", "channel_secret", "access_token", "clear_secrets")

    @admin.display(description=_("channel secret"))
    def secret_state(self, channel: LineChannel) -> str:
        return masked(channel.channel_secret)

    @admin.display(description=_("channel access token"))
    def token_state(self, channel: LineChannel) -> str:
        return masked(channel.access_token)
