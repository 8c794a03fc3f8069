"""The Overview's "Sectors at a glance" in a real browser: a row picked in the table shows the programs that
train for that sector (a selection in Streamlit's table is a canvas click, which AppTest cannot make)."""

from __future__ import annotations


def test_picking_a_sector_in_the_table_lists_its_programs(app):
    app.open("/")
    heading = app.page.get_by_text("Sectors at a glance").first
    heading.scroll_into_view_if_needed()
    top = heading.bounding_box()["y"]
    tables = app.page.get_by_test_id("stDataFrame")
    table = next(tables.nth(i) for i in range(tables.count()) if tables.nth(i).bounding_box()["y"] > top)
    before = tables.count()
    assert app.page.get_by_text("Pick a sector in the table").count() == 1
    box = table.bounding_box()
    app.page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box, under the header
    app.wait()
    heading = app.page.get_by_text("Programs that train for")
    heading.wait_for()
    assert heading.inner_text().startswith("Programs that train for ")
    assert tables.count() == before + 1  # the sector's programs, in a table of their own
    assert app.page.get_by_text("Pick a sector in the table").count() == 0
