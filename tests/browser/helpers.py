"""What the browser tests of the dashboard read from its pages: the URL's filters, numbers as shown, downloads."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from urllib.parse import parse_qs, urlparse

# The sample data's years; a filter left at its default is left out of the URL.
FIRST_YEAR, LAST_YEAR = 2019, 2025
# A selection with data: two regions, three sectors, years that are not the defaults.
SELECTION = "from=2022&to=2024&region=R02&region=R05&sector=C&sector=F&sector=Q"
NO_DATA = "from=2019&to=2019&sector=U&region=R09"

# The projector's screens (Next and Back step through them in this order), the windows they are shown in, and
# the first word of a takeaway in each language.
SCREENS = (
    "",  # the Overview, the default page
    "supply-demand",
    "enrolment-graduates",
    "placements-partners",
    "graduate-outcomes",
    "intake-planning",
)
SIZES = ((1280, 720), (1920, 1080))
TAKEAWAY = {"en": "Takeaway:", "zh-CN": "要点"}


def url_query(app) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


def url_filters(app) -> dict:
    """The filters the page's URL says, in the snapshot manifest's form."""
    query = url_query(app)
    return {
        "year_from": int(query.get("from", [FIRST_YEAR])[0]),
        "year_to": int(query.get("to", [LAST_YEAR])[0]),
        "regions": sorted(query.get("region", [])),
        "sectors": sorted(query.get("sector", [])),
    }


def as_number(shown: str) -> int:
    """A count as the dashboard shows it (thousands separators) as an int."""
    return int(shown.replace(",", "").replace("\u2009", "").strip())


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def download(app, button) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and bytes."""
    with app.page.expect_download() as info:
        button.click()
    file = info.value
    return file.suggested_filename, open(file.path(), "rb").read()


def export_snapshot(app) -> dict:
    """Click the sidebar's "Export snapshot": the manifest and the CSVs' rows, by file name. The file's name
    says what it holds: the selection's regions, sectors and years, and the data version."""
    name, data = download(app, app.page.get_by_test_id("stSidebar").get_by_role("button", name="Export snapshot", exact=True))
    scope = "Ellery-Heights-Anvilport-3-sectors-2022-2024" if "region=R02" in app.page.url else r"[\w-]+"
    assert re.fullmatch(rf"snapshot-{scope}-v\d+\.zip", name), name
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {member: archive.read(member) for member in archive.namelist()}
    snapshot = {"manifest": json.loads(files.pop("manifest.json"))}
    snapshot.update({member: read_csv(content) for member, content in files.items()})
    return snapshot


def csv_row_for_axis_label(rows: list[dict[str, str]], label: str) -> dict[str, str]:
    """The one row of the sector a category of the axis stands for (its code; the tick shows its name)."""
    matches = [row for row in rows if row["sector_code"] == label]
    assert len(matches) == 1, f"{label!r} matches {len(matches)} rows"
    return matches[0]
