"""The shape of the code: the data layer is a library without Streamlit, neither it nor the screens'
modules (ui/) has an import cycle, and pages hold no SQL. Read from the source files, imports inside
functions included; no module is imported by a name built at run time, which this reading could not see."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_ACCESS = ROOT / "data_access"


def _run_time_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (imports for type annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _run_time_nodes(node)


def imports_of(path: Path, package: str) -> set[str]:
    """Every module ``path`` imports when it runs (relative imports resolved within ``package``), at any
    depth of the code, functions included."""
    found = set()
    for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}" if base else package
                found |= {f"{base}.{alias.name}" for alias in node.names}  # from . import summaries
            found.add(base)
    return found


def package_graph(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of the same package it imports."""
    modules = {f"{package}.{p.stem}": p for p in (ROOT / package).glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in imports_of(path, package) if m in modules and m != name} for name, path in modules.items()}


def data_access_graph() -> dict[str, set[str]]:
    return package_graph("data_access")


def assert_no_cycle(graph: dict[str, set[str]]) -> None:
    visiting, done = set(), set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in visiting, " -> ".join(path + [module])
        if module in done:
            return
        visiting.add(module)
        for imported in sorted(graph[module]):
            visit(imported, path + [module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_the_data_layer_never_imports_streamlit():
    for path in DATA_ACCESS.rglob("*.py"):
        assert not any(m.split(".")[0] == "streamlit" for m in imports_of(path, "data_access")), path


def test_the_data_layer_has_no_import_cycle():
    graph = data_access_graph()
    assert "data_access.loading" in graph["data_access.store"]  # the store fills the default database by loading
    assert_no_cycle(graph)


def test_the_screens_modules_have_no_import_cycle():
    graph = package_graph("ui")
    assert "ui.data_flags" in graph["ui.bookmarks"] and "ui.horizons" in graph["ui.bookmarks"]  # imports in functions count
    assert_no_cycle(graph)


def test_no_module_is_imported_by_a_name_built_at_run_time():
    for folder in ("data_access", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "import_module(" not in path.read_text(encoding="utf-8"), path


def test_pages_hold_no_sql():
    for path in (ROOT / "pages").glob("*.py"):
        assert not any(m.split(".")[0] == "sqlalchemy" for m in imports_of(path, "pages")), path


def test_small_number_protection_is_applied_in_one_place():
    """Every table shown or exported is protected through data_access.views.shown (queried views by
    read_view, computed ones by shown itself): no other module calls suppression.protect."""
    callers = set()
    for path in [*DATA_ACCESS.rglob("*.py"), *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "protect":
                callers.add(path.relative_to(ROOT).as_posix())
    assert callers == {"data_access/views.py"}
