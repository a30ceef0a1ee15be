"""The addon installs on a database without demo data and uninstalls cleanly.

`make test` installs the addon on a copy of the template (no demo data) with odoo-bin;
these tests check the result. Uninstalling reloads the registry, which a test
transaction cannot do: it runs in a separate Odoo process on a copy.
"""

import os

import server

from odoo.addons.credit_management import scoring
from odoo.tests import TransactionCase, tagged

ADDON = "credit_management"
UNINSTALL_SCRIPT = f"env['ir.module.module'].search([('name', '=', '{ADDON}')]).button_immediate_uninstall()"


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

    def test_default_data(self):
        company = self.env.ref("base.main_company")
        policy = self.env["credit.policy"].search([("company_id", "=", company.id)])
        self.assertEqual(len(policy), 1)
        grades = self.env["credit.grade"].search([("company_id", "=", company.id)], order="min_score desc")
        self.assertEqual(grades.mapped("code"), ["A", "B", "C", "D", "E"])
        self.assertEqual(grades.mapped("min_score"), [85, 70, 50, 30, 0])
        self.assertEqual(grades.mapped("order_action"), ["allow", "allow", "warn", "approval", "block"])
        self.assertEqual(policy.new_customer_grade_id.code, "C")
        self.assertEqual(len(policy.factor_ids), len(scoring.FACTORS))
        for xmlid in (
            "ir_cron_credit_rescore",
            "ir_cron_credit_rescore_queue",
            "ir_cron_credit_approval_expire",
            "ir_cron_credit_scorecard_monitor",
            "ir_cron_credit_bureau",
            "ir_cron_credit_bureau_refresh",
            "mail_activity_type_bureau_failure",
            "mail_activity_type_credit_review",
            "mail_activity_type_scorecard_review",
            "mail_activity_type_credit_approval",
        ):
            self.assertTrue(self.env.ref(f"{ADDON}.{xmlid}").exists(), xmlid)


QUERIES = {
    "module state": f"SELECT state FROM ir_module_module WHERE name = '{ADDON}'",
    "xmlids": f"SELECT name FROM ir_model_data WHERE module = '{ADDON}'",
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'credit%%'",
    "columns": (
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name IN ('res_partner', 'mail_activity', 'sale_order') "
        "AND column_name LIKE 'credit%%' AND column_name != 'credit_limit'"
    ),
    "crons": "SELECT count(*) FROM ir_cron WHERE cron_name LIKE 'Credit:%%'",
    "indexes": "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 2",
    "functions": "SELECT proname FROM pg_proc WHERE proname LIKE 'credit%%'",
}


def uninstall_round_trip():
    """Uninstall the addon from a copy of the installed database: (the queries on the template without
    the addon, before, the uninstall's process, after)."""
    template = {name: _query(os.environ["CREDIT_TEMPLATE_DB"], sql) for name, sql in QUERIES.items()}
    with server.throwaway_database("credit_uninstall") as dbname:
        before = {name: _query(dbname, sql) for name, sql in QUERIES.items()}
        result = server.odoo_shell(dbname, UNINSTALL_SCRIPT)
        after = {name: _query(dbname, sql) for name, sql in QUERIES.items()}
    return template, before, result, after


@tagged("post_install", "-at_install")
class TestUninstall(TransactionCase):
    """Uninstall in a separate Odoo process, on a copy of the database `make test` installed."""

    @classmethod
    def start_background(cls):
        if not server.missing_environment():
            server.start("uninstall", uninstall_round_trip)

    def test_uninstall_leaves_nothing(self):
        self.assertFalse(server.missing_environment(), "run the suite through `make test`")
        template, before, result, after = server.start("uninstall", uninstall_round_trip).result()
        self.assertEqual(before["module state"], [("installed",)])
        self.assertTrue(before["xmlids"])
        self.assertTrue(before["tables"])
        self.assertTrue(before["columns"])
        self.assertEqual(before["crons"], [(7,)])
        added = {name for table, name in set(before["indexes"]) - set(template["indexes"])}
        self.assertIn("sale_order__credit_open_partner_index", added, "indexes on core tables too")
        self.assertEqual(before["functions"], [("credit_management_customer_exposure",)])
        self.assertEqual(template["functions"], [])

        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertNotRegex(result.stderr, r" (ERROR|CRITICAL) ", result.stderr[-3000:])
        self.assertEqual(after["module state"], [("uninstalled",)])
        self.assertEqual(after["xmlids"], [])
        self.assertEqual(after["tables"], [])
        self.assertEqual(after["columns"], [])
        self.assertEqual(after["crons"], [(0,)])
        self.assertEqual(after["functions"], [])
        self.assertEqual(
            after["indexes"], template["indexes"], "the indexes of the database without the addon"
        )


def _query(dbname, sql):
    conn = server.connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall()
    finally:
        conn.close()
