"""Distances on the Earth's surface, for "near me" searches."""

from __future__ import annotations

import math

__all__ = ["EARTH_RADIUS_KM", "bounding_box", "haversine_km"]

# The mean radius; over Japan's distances the sphere is within 0.5% of the ellipsoid.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box that holds every point within `radius_km`.

    The box lets an ordinary index narrow the candidates before the exact distance is computed.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    # Near the poles the longitude span blows up; Japan is far from them, but stay correct anyway.
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
