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
    # Narrower selections made on a page (drill-down, scorecard), not in the sidebar.
    institution_types: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the object hashable (it keys caches).
        for name in ("regions", "sectors", "institution_types", "institutions", "programs"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    def covers_year(self, year: int) -> bool:
        """True when ``year`` lies within the year range."""
        return (self.year_from is None or year >= self.year_from) and (self.year_to is None or year <= self.year_to)

    def with_years(self, year_from: int | None, year_to: int | None) -> Filters:
        """The same regions and sectors over other years."""
        return replace(self, year_from=year_from, year_to=year_to)

    def narrowed(self, **selections: tuple[str, ...]) -> Filters:
        """The same filters with page selections (regions, sectors, institutions, ...) replaced."""
        return replace(self, **{name: tuple(value) for name, value in selections.items()})  # type: ignore[arg-type]

    def as_dict(self) -> dict:
        """Plain form for the manifest and for logs (page selections only when set)."""
        data = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
        for name in ("institution_types", "institutions", "programs"):
            if not data[name]:
                del data[name]
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
        parts = [years, regions, sectors]
        for label, chosen in (
            ("types", self.institution_types),
            ("institutions", self.institutions),
            ("programs", self.programs),
        ):
            if chosen:
                parts.append(f"{label} {', '.join(chosen)}")
        return "; ".join(parts)
