"""The addon installs on a database without demo data and uninstalls cleanly.

The round trip runs in a separate Odoo process on its own copy of the template
database: uninstalling reloads the registry, which a test transaction cannot do.
"""

import os
import subprocess
import uuid

import psycopg2

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

ADDON = "credit_management"
UNINSTALL_SCRIPT = f"""
env['ir.module.module'].search([('name', '=', '{ADDON}')]).button_immediate_uninstall()
env.cr.commit()
"""


def _connect(dbname):
    return psycopg2.connect(
        dbname=dbname,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
        password=config["db_password"] or None,
    )


@tagged("post_install", "-at_install")
class TestInstalled(TransactionCase):
    def test_installed_without_demo_data(self):
        module = self.env["ir.module.module"].search([("name", "=", ADDON)])
        self.assertRecordValues(module, [{"state": "installed", "demo": False}])

    def test_groups_form_a_chain(self):
        user = self.env.ref(f"{ADDON}.group_credit_user")
        controller = self.env.ref(f"{ADDON}.group_credit_controller")
        manager = self.env.ref(f"{ADDON}.group_credit_manager")
        self.assertIn(user, controller.implied_ids)
        self.assertIn(controller, manager.implied_ids)
        self.assertIn(user, self.env.ref("sales_team.group_sale_salesman").trans_implied_ids)
        self.assertIn(manager, self.env.ref("base.user_admin").groups_id)


@tagged("post_install", "-at_install")
class TestInstallUninstall(TransactionCase):
    """Install then uninstall in a separate Odoo process on a throwaway database."""

    def setUp(self):
        super().setUp()
        for var in ("CREDIT_TEMPLATE_DB", "CREDIT_ODOO_CONF", "CREDIT_ODOO_BIN", "CREDIT_PY"):
            self.assertIn(var, os.environ, f"{var} is set by `make test`; run the suite through it")
        self.dbname = f"credit_roundtrip_{uuid.uuid4().hex[:8]}"
        self._psql(f'CREATE DATABASE "{self.dbname}" TEMPLATE "{os.environ["CREDIT_TEMPLATE_DB"]}"')
        self.addCleanup(self._psql, f'DROP DATABASE IF EXISTS "{self.dbname}"')

    def _psql(self, statement):
        conn = _connect("postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute(statement)
        finally:
            conn.close()

    def _odoo(self, *args, stdin=None):
        cmd = [
            os.environ["CREDIT_PY"],
            os.environ["CREDIT_ODOO_BIN"],
            *args,
            "-c",
            os.environ["CREDIT_ODOO_CONF"],
            "-d",
            self.dbname,
            "--log-level=warn",
            "--stop-after-init",
            "--no-http",
        ]
        result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=900)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertNotRegex(result.stderr, r" (ERROR|CRITICAL) ", result.stderr[-3000:])

    def _query(self, sql):
        conn = _connect(self.dbname)
        try:
            with conn.cursor() as cr:
                cr.execute(sql)
                return cr.fetchall()
        finally:
            conn.close()

    def test_install_then_uninstall_leaves_nothing(self):
        self._odoo("-i", ADDON)
        self.assertEqual(
            self._query(f"SELECT state, demo FROM ir_module_module WHERE name = '{ADDON}'"),
            [("installed", False)],
        )
        self.assertTrue(self._query(f"SELECT 1 FROM ir_model_data WHERE module = '{ADDON}'"))

        self._odoo("shell", stdin=UNINSTALL_SCRIPT)

        self.assertEqual(
            self._query(f"SELECT state FROM ir_module_module WHERE name = '{ADDON}'"),
            [("uninstalled",)],
        )
        self.assertEqual(self._query(f"SELECT name FROM ir_model_data WHERE module = '{ADDON}'"), [])
        self.assertEqual(
            self._query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'credit%%'"),
            [],
        )
        self.assertEqual(
            self._query(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'res_partner' AND column_name LIKE 'credit%%' "
                "AND column_name NOT IN ('credit_limit')"
            ),
            [],
        )
