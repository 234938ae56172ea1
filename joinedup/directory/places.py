"""Where a search is from, and how far things are: postcodes to coordinates with the
offline postcode lookup (``core.Postcode``, loaded from the ONS Postcode Directory), the
partnership's places a postcode is in (for catchments), and great-circle distances."""

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from joinedup.core.models import Postcode

from . import feeds

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    postcode: str
    latitude: float
    longitude: float
    district: str  # "JU1"
    neighbourhood: str = ""  # codes of the partnership's places it is in
    network: str = ""
    borough: str = ""


def locate(postcode: str) -> Point:
    """The centre of a postcode and the places it is in; a ValidationError saying what is
    wrong when the postcode is not a postcode or is not in the lookup."""
    code = feeds.postcode(postcode)
    if not code:
        raise ValidationError(f"'{postcode[:20]}' is not a UK postcode")
    found = (
        Postcode.objects.filter(postcode=code)
        .values_list(
            "latitude",
            "longitude",
            "lsoa__neighbourhood__code",
            "lsoa__neighbourhood__network__code",
            "lsoa__neighbourhood__network__place__code",
        )
        .first()
    )
    if found is None or found[0] is None:
        raise ValidationError(f"{code} is not in the postcode lookup")
    lat, lon, hood, network, borough = found
    return Point(code, lat, lon, code.split()[0], hood or "", network or "", borough or "")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def box(point: Point, km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) around a point: everything within ``km`` is inside."""
    dlat = km / 111.0
    dlon = km / (111.32 * max(0.01, math.cos(math.radians(point.latitude))))
    return (
        point.latitude - dlat,
        point.latitude + dlat,
        point.longitude - dlon,
        point.longitude + dlon,
    )


def areas_containing(point: Point, practice: str = "") -> list[tuple[str, str]]:
    """(kind, code) of each of the partnership's areas the point is in (and the practice
    list, when the person's practice is known), plus ("other", "") for areas described
    only in words, which are never ruled out."""
    from .models import ServiceArea

    found = [(ServiceArea.Kind.OTHER, "")]
    for kind, code in (
        (ServiceArea.Kind.BOROUGH, point.borough),
        (ServiceArea.Kind.NETWORK, point.network),
        (ServiceArea.Kind.NEIGHBOURHOOD, point.neighbourhood),
        (ServiceArea.Kind.DISTRICT, point.district),
        (ServiceArea.Kind.PRACTICE, practice),
    ):
        if code:
            found.append((kind, code))
    return found
