"""`python -m tsunagari place-locations`: put the windows on the map from their addresses (issue 9 item 12).

Reads Geolonia 住所データ's town points (`<DATASETS_DIR>/geolonia-addresses/towns.csv.gz`, CC BY 4.0,
taken by `get-datasets`) and gives every physical location with an address the point of its town
("town") or of its municipality ("municipality"). Both are approximate and drawn so on the map.
Idempotent. A position with precision "exact" (given by the source data or set by a member) is
never changed; coordinates that an import brought without a precision are marked "exact".
An address whose town is unknown gets its municipality's office (the town point of the
representative window's address, where the data has one) rather than the centre of its towns.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tsunagari.directory.models import REPRESENTATIVE_SOURCE_SUFFIX, Location
from tsunagari.directory.signals import bump_directory_version
from tsunagari.lib.geocode import Geocoder
from tsunagari.tenancy.scoping import scopes_disabled

Precision = Location.Precision


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def place_locations(geocoder: Geocoder) -> Counter[str]:
    """Fill latitude/longitude/precision of every location not placed by hand; how many of each precision."""
    counts: Counter[str] = Counter()
    changed: list[Location] = []
    fields = ["latitude", "longitude", "precision", "place_label"]
    with scopes_disabled(), transaction.atomic():
        offices = Location.objects.filter(
            service_at_locations__service__source_id__endswith=REPRESENTATIVE_SOURCE_SUFFIX,
            location_type=Location.Kind.PHYSICAL,
        ).exclude(address_1="")
        for office in offices.select_related("municipality__prefecture").order_by("pk"):
            municipality = office.municipality
            prefecture = office.region or (municipality.prefecture.name if municipality else "")
            if geocoder.add_office(prefecture, office.full_address, municipality.name if municipality else office.city):
                counts["offices"] += 1
        rows = Location.objects.select_related("municipality__prefecture").order_by("pk")
        for location in rows.iterator(chunk_size=2000):
            before = (location.latitude, location.longitude, location.precision, location.place_label)
            if location.precision == Precision.EXACT:
                counts[Precision.EXACT] += 1
                continue
            if location.precision == Precision.NONE and location.latitude is not None:
                # Coordinates from the source data (HSDS latitude/longitude): kept as they are.
                location.precision = Precision.EXACT
            else:
                point = None
                if location.location_type == Location.Kind.PHYSICAL and location.address_1.strip():
                    municipality = location.municipality
                    prefecture = location.region or (municipality.prefecture.name if municipality else "")
                    point = geocoder.locate(
                        prefecture, location.full_address, location.city or (municipality.name if municipality else "")
                    )
                if point is None:
                    location.latitude = location.longitude = None
                    location.precision, location.place_label = Precision.NONE, ""
                else:
                    location.latitude, location.longitude = _decimal(point.latitude), _decimal(point.longitude)
                    location.precision, location.place_label = point.precision, point.label
            counts[location.precision] += 1
            if (location.latitude, location.longitude, location.precision, location.place_label) != before:
                changed.append(location)
        Location.objects.bulk_update(changed, fields, batch_size=1000)
    if changed:
        bump_directory_version()  # bulk_update sends no signals: the cached map pages must go
    counts["changed"] = len(changed)
    return counts


class Command(BaseCommand):
    help = (
        "住所から相談窓口の位置（町丁目または市区町村の代表点）を地図用に設定します。"
        "人が設定した正確な位置（precision=exact）は変えません。何度実行しても同じ結果になります。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--towns", help="towns.csv.gz の場所（省略時は DATASETS_DIR/geolonia-addresses/）")

    def handle(self, *args: Any, towns: str | None, **options: Any) -> None:
        path = Path(towns) if towns else Path(settings.DATASETS_DIR) / "geolonia-addresses" / "towns.csv.gz"
        if not path.is_file():
            self.stdout.write(
                f"住所データ（{path}）がないため、地図の位置づけを飛ばしました。"
                "`python -m tsunagari get-datasets` で取得してから、もう一度 place-locations を実行してください。"
            )
            return
        counts = place_locations(Geocoder.from_file(path))
        placed = counts[Precision.EXACT] + counts[Precision.TOWN] + counts[Precision.MUNICIPALITY]
        total = placed + counts[Precision.NONE]
        self.stdout.write(
            f"地図の位置: {total} 件中 {placed} 件（正確 {counts[Precision.EXACT]}、町丁目 {counts[Precision.TOWN]}、"
            f"市区町村 {counts[Precision.MUNICIPALITY]}）、位置なし {counts[Precision.NONE]} 件。"
            f"{counts['changed']} 件を更新しました。"
            f"市区町村の代表点に役所の位置を使えたのは {counts['offices']} 市区町村です（ほかは町丁目の中心）。"
        )
