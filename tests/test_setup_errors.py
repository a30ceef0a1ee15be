"""The setup scripts fail with one clear line, not a traceback or a wall of log."""

import os
import subprocess
import tempfile
import unittest

import server

from odoo.tools import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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

    @classmethod
    def start_background(cls):
        if not server.missing_environment():
            server.start("failed install", install_broken_addon)

    @unittest.skipIf(server.missing_environment(), "needs the databases `make test` prepares")
    def test_failed_install_names_the_first_odoo_error(self):
        """An addon whose view names a missing field: one line with Odoo's error, not its log."""
        code, lines, log = server.start("failed install", install_broken_addon).result()
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("no_such_field", lines[0])
        self.assertIn(log, lines[0])


def install_broken_addon():
    """odoo_run installing an addon whose view names a missing field: (exit code, stderr lines, log path)."""
    with tempfile.TemporaryDirectory() as addons, server.throwaway_database("credit_broken", False) as db:
        module = os.path.join(addons, "credit_broken")
        os.makedirs(module)
        with open(os.path.join(module, "__init__.py"), "w"):
            pass
        with open(os.path.join(module, "__manifest__.py"), "w") as manifest:
            manifest.write(
                "{'name': 'Broken', 'depends': ['base'], 'data': ['view.xml'], 'license': 'LGPL-3'}"
            )
        with open(os.path.join(module, "view.xml"), "w") as view:
            view.write(
                '<odoo><record id="broken_form" model="ir.ui.view">'
                '<field name="model">res.partner</field>'
                '<field name="arch" type="xml"><form><field name="no_such_field"/></form></field>'
                "</record></odoo>"
            )
        log = os.path.join(addons, "install.log")
        code, lines = run_lib(
            f"odoo_run '{log}' -d {db} --addons-path={config['addons_path']},{addons} "
            "-i credit_broken --stop-after-init --no-http"
        )
    return code, lines, log
