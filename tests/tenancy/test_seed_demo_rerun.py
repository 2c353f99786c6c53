"""`seed-demo` runs again on a demo people have used, whatever they changed, and never undoes their changes."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from tsunagari.accounts.models import Membership, Role, User
from tsunagari.demo.management.commands.seed_demo import DEMO_SERVICES
from tsunagari.directory.models import Service
from tsunagari.membership.models import Agreement, ProblemReport
from tsunagari.tenancy.models import Platform

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def demo_listings() -> int:
    return Service.objects.filter(source_id__startswith="demo-").count()


def test_seeding_again_after_people_changed_the_demo_keeps_their_changes(areas: None, unscoped: None) -> None:
    seed()
    kamakura = Platform.objects.get(slug="kamakura")
    listings = demo_listings()
    assert listings == len(DEMO_SERVICES)
    # A coordinator renames a demo listing, another copies it (same name, same id) and drafts it.
    cafe = Service.objects.get(platform=kamakura, source_id="demo-kamakura-cafe")
    cafe.name = "居場所カフェ（名前を変えました）"
    cafe.save()
    copy = Service.objects.get(pk=cafe.pk)
    copy.pk = None
    copy.publication = Service.Publication.DRAFT
    copy.save()
    family = Service.objects.get(platform=kamakura, source_id="demo-kamakura-family")
    Service.objects.create(platform=kamakura, organization=family.organization, name=family.name)
    # Residents report the same listing twice; the demo agreement is copied.
    ProblemReport.objects.create(platform=kamakura, service=cafe, kind=ProblemReport.Kind.HOURS, text="二度目の報告")
    agreement = Agreement.objects.get(platform=kamakura)
    Agreement.objects.create(platform=kamakura, title=agreement.title, status=agreement.status)
    # Staff become administrators; the coordinator makes another address primary.
    staff = User.objects.get(username="kamakura-org-staff")
    Membership.objects.filter(user=staff, platform=kamakura).update(role=Role.ORG_ADMIN)
    coordinator = User.objects.get(username="kamakura-coordinator")
    EmailAddress.objects.filter(user=coordinator).update(primary=False)
    EmailAddress.objects.create(user=coordinator, email="new-address@example.jp", primary=True, verified=True)

    seed()
    seed()

    cafe.refresh_from_db()
    assert cafe.name == "居場所カフェ（名前を変えました）"  # people's changes stay
    assert demo_listings() == listings + 1  # the copy, and nothing new
    assert Service.objects.filter(platform=kamakura, name=family.name).count() == 2
    assert EmailAddress.objects.filter(user=coordinator, primary=True).count() == 1
    # The demo accounts work again as printed.
    assert Membership.objects.filter(user=staff, platform=kamakura, role=Role.ORG_STAFF).exists()


def test_seeding_a_database_seeded_before_the_listings_had_ids(areas: None, unscoped: None) -> None:
    """Earlier seeds found their listings by name; two listings of that name made get_or_create fail."""
    seed()
    kamakura = Platform.objects.get(slug="kamakura")
    Service.objects.filter(source_id__startswith="demo-").update(source_id="")
    cafe = Service.objects.filter(platform=kamakura, name="（デモ）鎌倉 居場所カフェ").get()
    Service.objects.create(platform=kamakura, organization=cafe.organization, name=cafe.name)

    seed()

    assert Service.objects.filter(platform=kamakura, name=cafe.name).count() == 2
    cafe.refresh_from_db()
    assert cafe.source_id == "demo-kamakura-cafe"  # the oldest one is the demo listing
    assert demo_listings() == len(DEMO_SERVICES)


def test_seeding_after_a_demo_listing_and_organisation_were_deleted_makes_them_again(
    areas: None, unscoped: None
) -> None:
    seed()
    kyoto = Platform.objects.get(slug="kyoto-city")
    Service.objects.filter(platform=kyoto, source_id="demo-kyoto-food").delete()
    seed()
    assert Service.objects.filter(platform=kyoto, source_id="demo-kyoto-food").count() == 1
