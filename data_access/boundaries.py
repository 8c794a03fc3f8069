"""Region boundaries from a GeoJSON file, in longitude and latitude for the map.

A boundary file published in a national grid (England's in British National Grid, EPSG:27700) is
reprojected with pyproj; the coordinate system is the one the recipe names, else the one the file
states in its ``crs`` member, else longitude/latitude (EPSG:4326, as RFC 7946 says). Coordinates are
kept to five decimals (about a metre), which is finer than any map the dashboard draws.

A file is read whole (Python's JSON reader takes about ten times its size in memory), so its size is
bounded, and so is how deep its arrays and objects nest, counted on its text before it is read: the JSON
reader would stop with a RecursionError on a file nested a thousand deep.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from . import budget
from .messages import Message

LONLAT = "EPSG:4326"
MAX_POINTS = 2_000_000  # coordinate pairs in one boundary file
MAX_BYTES = 32 * 1024 * 1024  # a boundary file (README, "Importing published statistics")
MAX_NESTING = 32  # arrays and objects within each other; a MultiPolygon feature collection nests eight deep
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
DECIMALS = 5


@dataclass
class BoundaryFile:
    """Features read from a GeoJSON file: each one's properties and its geometry in longitude/latitude."""

    crs: str
    properties: list[dict] = field(default_factory=list)
    geometries: list[dict | None] = field(default_factory=list)


class BoundaryError(Exception):
    """The file cannot be used; ``message`` says why and ``feature`` which feature (0 for the whole file)."""

    def __init__(self, message: Message, feature: int = 0) -> None:
        super().__init__(str(message))
        self.message, self.feature = message, feature


def read_geojson(data: bytes, crs: str | None = None) -> BoundaryFile:
    """The features of a GeoJSON FeatureCollection, reprojected to longitude/latitude (see the module)."""
    if len(data) > MAX_BYTES:
        size, limit = f"{len(data) / 1024 / 1024:,.1f}", f"{MAX_BYTES / 1024 / 1024:,.0f}"
        raise BoundaryError(Message("recipe.geojson_too_large", size=size, limit=limit))
    if _nesting(data) > MAX_NESTING:
        raise BoundaryError(Message("recipe.geojson_too_deep", limit=MAX_NESTING))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BoundaryError(Message("recipe.geojson_unreadable", error=str(error).splitlines()[0][:120])) from None
    if (
        not isinstance(document, dict)
        or document.get("type") != "FeatureCollection"
        or not isinstance(document.get("features"), list)
    ):
        raise BoundaryError(Message("recipe.geojson_not_features"))
    source_crs = crs or _stated_crs(document) or LONLAT
    try:
        transformer = None if CRS.from_user_input(source_crs) == CRS.from_user_input(LONLAT) else _transformer(source_crs)
    except CRSError:
        raise BoundaryError(Message("recipe.unknown_crs", crs=source_crs)) from None
    result = BoundaryFile(crs=source_crs)
    points = 0
    for number, feature in enumerate(document["features"], start=1):
        if not number % 1000:
            budget.check()
        if not isinstance(feature, dict):
            raise BoundaryError(Message("recipe.geojson_not_a_feature"), number)
        properties = feature.get("properties") or {}
        result.properties.append({str(k): "" if v is None else str(v) for k, v in properties.items()})
        geometry = feature.get("geometry")
        if geometry is None:
            result.geometries.append(None)
            continue
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            raise BoundaryError(Message("recipe.geojson_not_polygon", found=str(kind)), number)
        polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"]
        try:
            rings = [[np.asarray(ring, dtype=float)[:, :2] for ring in polygon] for polygon in polygons]
        except (TypeError, ValueError, IndexError):
            raise BoundaryError(Message("recipe.geojson_bad_coordinates"), number) from None
        points += sum(len(ring) for polygon in rings for ring in polygon)
        if points > MAX_POINTS:
            raise BoundaryError(Message("recipe.geojson_too_many_points", limit=f"{MAX_POINTS:,}"), number)
        moved = [[_lonlat(ring, transformer) for ring in polygon] for polygon in rings]
        if any(not np.isfinite(ring).all() for polygon in moved for ring in polygon):
            raise BoundaryError(Message("recipe.geojson_outside_crs", crs=source_crs), number)
        result.geometries.append(
            {"type": "MultiPolygon", "coordinates": [[ring.round(DECIMALS).tolist() for ring in polygon] for polygon in moved]}
        )
    return result


def _nesting(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, counted on its brackets outside strings."""
    brackets = np.frombuffer(_JSON_STRING.sub(b"", data).translate(None, _NOT_A_BRACKET), dtype=np.uint8)
    if not len(brackets):
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


def _stated_crs(document: dict) -> str | None:
    """The coordinate system a (pre-2016) GeoJSON file names in its ``crs`` member."""
    crs = document.get("crs")
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
        return str(name) if name else None
    return None


def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(crs), CRS.from_user_input(LONLAT), always_xy=True)


def _lonlat(ring: np.ndarray, transformer: Transformer | None) -> np.ndarray:
    if transformer is None:
        return ring
    lon, lat = transformer.transform(ring[:, 0], ring[:, 1])
    return np.column_stack([lon, lat])
