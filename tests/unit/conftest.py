"""The Odoo-free core (scoring, factors, rules, profiles, scorecard, dunning, charts, bureau connectors),
imported as plain Python under the name ``credit_core``.

``credit_core`` is the addon's folder made a package without running its ``__init__.py`` (which loads
the Odoo models): these tests need neither Odoo's registry nor a database, so ``make unit`` runs them in
seconds. The simulated bureau (``tests/bureau_server.py``) is importable from here as well.
"""

import pathlib
import sys
import types

TESTS = pathlib.Path(__file__).resolve().parents[1]
ADDON = TESTS.parent / "credit_management"

if "credit_core" not in sys.modules:
    core = types.ModuleType("credit_core")
    core.__path__ = [str(ADDON)]
    sys.modules["credit_core"] = core
sys.path.insert(0, str(TESTS))
