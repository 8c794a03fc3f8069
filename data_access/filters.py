"""The filter set every query and export takes: a year range, regions and sectors."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Filters:
    """Which rows a view covers. An empty tuple or ``None`` means "all"."""

    year_from: int | None = None
    year_to: int | None = None
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the object hashable (it keys caches).
        object.__setattr__(self, "regions", tuple(sorted(set(self.regions))))
        object.__setattr__(self, "sectors", tuple(sorted(set(self.sectors))))

    def with_years(self, year_from: int | None, year_to: int | None) -> "Filters":
        """The same regions and sectors over other years."""
        return replace(self, year_from=year_from, year_to=year_to)

    def as_dict(self) -> dict:
        """Plain form for the manifest and for logs."""
        data = asdict(self)
        data["regions"] = list(self.regions)
        data["sectors"] = list(self.sectors)
        return data

    def describe(self) -> str:
        """The filters in words, for captions and chart titles."""
        if self.year_from is None and self.year_to is None:
            years = "all years"
        elif self.year_from == self.year_to:
            years = str(self.year_from)
        else:
            years = f"{self.year_from or '…'}–{self.year_to or '…'}"
        regions = ", ".join(self.regions) if self.regions else "all regions"
        sectors = ", ".join(self.sectors) if self.sectors else "all sectors"
        return f"{years}; {regions}; {sectors}"
