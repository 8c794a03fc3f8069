"""``python -m data_access``: see ``data_access.cli``."""

import sys

try:
    from .cli import main
except ModuleNotFoundError as missing:  # run with a Python that lacks the requirements
    sys.exit(
        f"error: this Python lacks the module {missing.name!r}: install the requirements first "
        "(pip install -r requirements.txt) or use the project's virtual environment"
    )

sys.exit(main())
