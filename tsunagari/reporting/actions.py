"""Changes to a platform's plan and report: atomic, each with its audit record."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model

from tsunagari.audit.log import record
from tsunagari.notices import files
from tsunagari.notices.actions import delete_file_after_commit
from tsunagari.tenancy.models import Platform

from .models import Evidence, Plan


def plan_for(platform: Platform, year: int) -> Plan:
    """The plan of `year`, created empty the first time something is written to it."""
    plan, _created = Plan.objects.get_or_create(platform=platform, fiscal_year=year)
    return plan


def save_texts(plan: Plan, data: dict[str, str], *, actor: Any) -> None:
    with transaction.atomic():
        for name, value in data.items():
            setattr(plan, name, value)
        plan.updated_by = actor
        plan.save()
        record("reporting.plan_changed", actor=actor, platform=plan.platform, obj=plan, changes={"texts": sorted(data)})


def save_row(plan: Plan, row: Model, *, actor: Any, kind: str) -> None:
    """Add or change an activity, budget line, KPI or milestone of `plan`."""
    with transaction.atomic():
        row.platform = plan.platform  # type: ignore[attr-defined]
        row.plan = plan  # type: ignore[attr-defined]
        created = row.pk is None
        row.save()
        record(
            "reporting.plan_changed",
            actor=actor,
            platform=plan.platform,
            obj=plan,
            changes={kind: str(row), "added" if created else "changed": row.pk},
        )


def delete_row(plan: Plan, row: Model, *, actor: Any, kind: str) -> None:
    with transaction.atomic():
        record(
            "reporting.plan_changed",
            actor=actor,
            platform=plan.platform,
            obj=plan,
            changes={kind: str(row), "deleted": row.pk},
        )
        row.delete()


def add_evidence(plan: Plan, upload: UploadedFile, *, kind: str, item: str, actor: Any) -> Evidence:
    with transaction.atomic():
        file_type = files.validate_upload(upload)
        evidence = Evidence.objects.create(
            platform=plan.platform,
            plan=plan,
            kind=kind,
            item=item,
            file=upload,
            name=files.clean_name(upload.name or ""),
            content_type=file_type.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        record(
            "reporting.evidence_added", actor=actor, platform=plan.platform, obj=plan, changes={"file": evidence.name}
        )
    return evidence


def delete_evidence(evidence: Evidence, *, actor: Any) -> None:
    with transaction.atomic():
        delete_file_after_commit(evidence)
        record(
            "reporting.evidence_deleted",
            actor=actor,
            platform=evidence.platform,
            obj=evidence.plan,
            changes={"file": evidence.name},
        )
        evidence.delete()
