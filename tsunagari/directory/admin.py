"""Staff edit the directory in the Django admin, inside their platform's scope, with full history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models as django_models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tsunagari.accounts.admin_filters import PLATFORM_FILTER
from tsunagari.accounts.models import staff_platform_ids
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from . import models


class StaleFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("not verified for 12 months")), ("no", _("verified within 12 months"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        stale = models.Service.objects.stale().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=stale)
        if self.value() == "no":
            return queryset.exclude(pk__in=stale)
        return queryset


class PlatformOwnedAdmin(SimpleHistoryAdmin):
    """Rows of the platforms the person coordinates; the platform field offers only those."""

    def editable_platforms(self, request: HttpRequest) -> QuerySet[Platform]:
        if request.user.is_superuser:
            return Platform.objects.all()
        return Platform.objects.filter(pk__in=staff_platform_ids(request.user))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The ScopeMiddleware already limits the default manager; this filter is a second lock.
        return super().get_queryset(request).filter(platform__in=self.editable_platforms(request))

    # django-simple-history reads its historical tables, which are not scoped, and falls back to
    # them when the live row is out of sight; every history view first proves the row is ours.
    def get_history_queryset(self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any) -> Any:
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset.filter(platform__in=self.editable_platforms(request))

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self.object_in_scope_or_404(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self.object_in_scope_or_404(request, unquote(object_id))
        versions = self.get_history_queryset(request, self.model.history, self.opts.pk.attname, unquote(object_id))
        try:
            ours = versions.filter(history_id=unquote(version_id)).exists()
        except (ValidationError, ValueError):
            ours = False
        if not ours:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_form_view_title(self, request: HttpRequest, obj: Any) -> str:
        """The version page's title in Japanese (django-simple-history's own "Revert %s" has no ja)."""
        if self.revert_disabled(request, obj):
            return gettext("View %(verbose_name)s") % {"verbose_name": obj}
        return gettext("Revert %(verbose_name)s") % {"verbose_name": obj}

    def object_in_scope_or_404(self, request: HttpRequest, object_id: str) -> None:
        """404 unless the row is one of the person's platforms', or was when it was deleted."""
        try:
            if self.get_object(request, object_id) is not None:
                return
            with scopes_disabled():
                exists_elsewhere = self.model._default_manager.filter(pk=object_id).exists()
            last = self.model.history.filter(**{self.opts.pk.attname: object_id}).order_by("-history_date").first()
        except (ValidationError, ValueError):  # an id that is not one
            raise Http404 from None
        if exists_elsewhere or last is None or last.platform_id not in self.editable_platform_ids(request):
            raise Http404

    def editable_platform_ids(self, request: HttpRequest) -> set[int]:
        return set(self.editable_platforms(request).values_list("pk", flat=True))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "platform":
            kwargs["queryset"] = self.editable_platforms(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(staff_platform_ids(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class ChannelInline(admin.TabularInline):
    model = models.Channel
    extra = 0
    exclude = ["platform"]


class ScheduleInline(admin.TabularInline):
    model = models.Schedule
    extra = 0
    exclude = ["platform", "service_at_location"]


class ServiceAreaInline(admin.TabularInline):
    model = models.ServiceArea
    extra = 0
    exclude = ["platform"]
    autocomplete_fields = ["municipality"]


class ServiceAtLocationInline(admin.TabularInline):
    model = models.ServiceAtLocation
    extra = 0
    exclude = ["platform"]
    raw_id_fields = ["location"]


class ChildrenFollowPlatform:
    """Inline rows belong to the parent's platform, whatever the form says."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            instance.platform_id = form.instance.platform_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(models.Service)
class ServiceAdmin(ChildrenFollowPlatform, PlatformOwnedAdmin):
    list_display = ["name", "organization", "publication", "status", "needs_review", "last_verified_on", "platform"]
    list_filter = ["publication", "status", "needs_review", StaleFilter, PLATFORM_FILTER]
    search_fields = ["name", "alternate_name", "description"]
    list_select_related = ["organization", "platform"]
    raw_id_fields = ["organization"]
    filter_horizontal = ["terms"]
    inlines = [ChannelInline, ScheduleInline, ServiceAreaInline, ServiceAtLocationInline]
    readonly_fields = ["dataset", "source_id", "created_at", "modified_at"]
    show_full_result_count = False


@admin.register(models.Organization)
class OrganizationAdmin(PlatformOwnedAdmin):
    list_display = ["name", "legal_status", "platform"]
    search_fields = ["name", "alternate_name"]
    list_filter = [PLATFORM_FILTER]
    readonly_fields = ["dataset", "source_id", "created_at", "modified_at"]
    autocomplete_fields = ["municipality"]


@admin.register(models.Location)
class LocationAdmin(PlatformOwnedAdmin):
    list_display = ["__str__", "postal_code", "city", "platform"]
    search_fields = ["name", "address_1", "postal_code"]
    raw_id_fields = ["organization"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["dataset", "source_id"]


def _https_by_default(field: Any, **kwargs: Any) -> Any:
    """Addresses typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(field, django_models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CrisisLineForm(forms.ModelForm):
    """A change to a line's Japanese text must not leave its English text saying something else.

    An English visitor in crisis would otherwise read the old hours. Change the English too, or empty it
    (the Japanese is then shown to English visitors, marked as Japanese).
    """

    PAIRS = (
        ("label", "label_en"),
        ("short_label", "short_label_en"),
        ("availability", "availability_en"),
        ("cost", "cost_en"),
    )

    class Meta:
        model = models.CrisisLine
        formfield_callback = _https_by_default
        fields = [
            "platform",
            "label",
            "label_en",
            "short_label",
            "short_label_en",
            "number",
            "phone_href",
            "url",
            "chat_url",
            "publisher",
            "cost",
            "cost_en",
            "availability",
            "availability_en",
            "kinds",
            "is_primary",
            "position",
            "strip_position",
            "last_verified_on",
            "verification_note",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            return cleaned
        for japanese, english in self.PAIRS:
            if japanese in self.changed_data and english not in self.changed_data and cleaned.get(english):
                self.add_error(
                    english,
                    gettext(
                        "The Japanese text above was changed but this English text was not: correct it as well, "
                        "or empty it so that English visitors see the Japanese text."
                    ),
                )
        return cleaned


@admin.register(models.CrisisLine)
class CrisisLineAdmin(PlatformOwnedAdmin):
    form = CrisisLineForm
    list_display = ["label", "number", "availability", "strip_position", "is_primary", "last_verified_on", "platform"]
    list_filter = [PLATFORM_FILTER, "is_primary"]
    ordering = ["last_verified_on"]
    readonly_fields = ["dataset", "source_id"]


class ServiceProgramInline(admin.TabularInline):
    """The windows that handle a programme; a window is chosen by id among the platform's own rows."""

    model = models.ServiceProgram
    extra = 0
    exclude = ["platform"]
    raw_id_fields = ["service"]
    readonly_fields = ["dataset", "source_id"]

    # A coordinator links their programme to windows here: the window field looks the id up through
    # the scoped manager, so another platform's window is refused like a missing one.
    def _coordinates(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(staff_platform_ids(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinates(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinates(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinates(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._coordinates(request)


@admin.register(models.SupportProgram)
class SupportProgramAdmin(ChildrenFollowPlatform, PlatformOwnedAdmin):
    """A platform's own programmes (制度). Imported ones keep their source: the dataset and source id
    cannot be edited, and a re-import writes the file's values again (docs/import.md)."""

    list_display = ["name", "scope", "need", "publication", "status", "last_verified_on", "platform"]
    list_filter = ["scope", "publication", "status", "needs_review", PLATFORM_FILTER]
    search_fields = ["name", "alternate_name", "description"]
    list_select_related = ["platform"]
    raw_id_fields = ["organization"]
    autocomplete_fields = ["municipality"]
    inlines = [ServiceProgramInline]
    readonly_fields = ["dataset", "source_id", "created_at", "modified_at"]


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "version"]


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "taxonomy"]
    list_filter = ["taxonomy"]
    search_fields = ["code", "name"]


@admin.register(models.SourceDataset)
class SourceDatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "licence", "retrieved_on"]


@admin.register(models.ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "platform", "format", "path", "ok", "actor"]
    readonly_fields = [f.name for f in models.ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
