"""Data layer of the vocational supply-demand dashboard.

A plain library (no Streamlit import) used the same way by the pages, the
command line (``python -m data_access``) and the tests:

- ``settings``   one settings object read from the environment
- ``models``     SQLModel tables for the nine contract tables and the load log
- ``store``      engine resolution and first-use creation of the embedded database
- ``contract``   the table specifications of the data contract
- ``validation`` parsing and checking CSV files into rows or precise problems
- ``loading``    all-or-nothing loading, the load log and the data version
- ``filters``    the filter set every query takes
- ``queries``    one aggregate query per view, each returning a tidy DataFrame
- ``snapshot``   the CSV rules and the snapshot zip
- ``cli``        the command line
"""

__version__ = "0.1.0"
