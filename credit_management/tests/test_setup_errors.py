"""The setup scripts fail with one clear line, not a traceback or a wall of log."""

import os
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_lib(function, **env):
    script = f"source '{ROOT}/scripts/lib.sh'; {function}"
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )
    return result.returncode, result.stderr.strip().splitlines()


class TestSetupErrors(unittest.TestCase):
    def test_no_odoo_source_and_no_network(self):
        code, lines = run_lib(
            "ensure_odoo", ODOO_SRC="/nonexistent/odoo-18.0", ODOO_GIT="https://odoo.invalid/odoo.git"
        )
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("/nonexistent/odoo-18.0", lines[0])
        self.assertIn("ODOO_SRC", lines[0])

    def test_postgresql_unreachable(self):
        code, lines = run_lib("ensure_pg", PGHOST="db.invalid", PGPORT="5999", PGUSER="nobody")
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 1, lines)
        for part in ("host=db.invalid", "port=5999", "user=nobody"):
            self.assertIn(part, lines[0])
