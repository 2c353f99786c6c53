"""Forms of the notice board; each knows the platform and the person, and offers only what they may choose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import Membership, User
from tsunagari.tenancy.models import Platform

from . import files
from .models import Attachment, Notice, WorkingGroup

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by files.validate_upload."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > MAX_FILES:
            raise ValidationError(_("Attach at most %(count)d files at a time."), params={"count": MAX_FILES})
        errors: list[ValidationError] = []
        for upload in uploads:
            super().clean(upload, initial)
            try:
                files.validate_upload(upload)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return uploads


def platform_people(platform: Platform) -> QuerySet[User]:
    """Everyone who holds a role on `platform`, by name."""
    ids = Membership.objects.filter(platform=platform).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "email")


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} <{obj.email}>"


class NoticeForm(forms.ModelForm):
    """Post or change a notice. Only coordinators may address coordinators or pin a notice."""

    # Declared, not derived from the model: the derived field would query the scoped manager at import.
    group: forms.ModelChoiceField[WorkingGroup] = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, images, text or CSV; up to 10 MB each."),
    )

    class Meta:
        model = Notice
        fields = ["title", "body", "group", "visibility", "pinned"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, platform: Platform, user: Any, is_coordinator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform
        groups = WorkingGroup.objects.filter(platform=platform)
        if not is_coordinator:
            groups = groups.filter(members=user)
        group_field = self.fields["group"]
        group_field.queryset = groups  # type: ignore[attr-defined]
        group_field.empty_label = _("The whole platform")  # type: ignore[attr-defined]
        group_field.help_text = _("Post on a working group's board (only groups you belong to).")
        visibility = self.fields["visibility"]
        if not is_coordinator:
            visibility.choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Notice.Visibility.choices if value != Notice.Visibility.COORDINATORS
            ]
            del self.fields["pinned"]
        if self.instance.pk:
            self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
                label=_("Remove these attachments"),
                queryset=Attachment.objects.filter(notice=self.instance),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Notice.Visibility.GROUP and not data.get("group"):
            self.add_error("group", _("Choose the working group whose members may read it."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class WorkingGroupForm(forms.ModelForm):
    members = PersonChoiceField(
        label=_("Group members"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WorkingGroup
        fields = ["name", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.fields["members"].queryset = platform_people(platform)  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = WorkingGroup.objects.filter(platform=self.platform, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("There is already a working group with this name."))
        return name
