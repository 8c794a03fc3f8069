"""``python -m ui.serve [streamlit options]``: start the dashboard, as ``streamlit run dashboard.py`` does.

Streamlit treats an app whose folder holds a ``pages/`` directory as a multipage app of its first kind
until ``st.navigation`` has run once in the server: the very first visit after a start runs the page
files by their file names, so a bookmark such as ``/supply-demand`` opened first gets a "Page not found"
dialog over the right page, and the sidebar lists raw file names for a moment. The dashboard registers
its pages with ``st.navigation`` alone (dashboard.py), so this start tells Streamlit so before the first
visit; everything else is ``streamlit run``, options included.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "dashboard.py"


def main(arguments: list[str]) -> int:
    """Run the dashboard with Streamlit's command line and ``arguments`` (its options, e.g. --server.port)."""
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call, set before it
    sys.argv = ["streamlit", "run", str(APP), *arguments]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
