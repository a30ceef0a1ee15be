"""Collections on a real server and a real process: a daily run killed midway and run again sends each
customer one reminder, never two; over JSON-RPC, each user may do what their group allows and no more."""

import os
import signal
import subprocess
import time

import server

from odoo.tests import tagged

PASSWORD = "collections"
CUSTOMERS = 4

SETUP_SCRIPT = (
    server.users_script(PASSWORD, "collector")
    + f"""
from datetime import timedelta
from odoo import Command, fields
env["credit.policy"]._for_company(env.company).controller_user_id = users[1]
product = env["product.product"].create({{"name": "Collected service", "taxes_id": [Command.clear()]}})
today = fields.Date.context_today(env.user)
grade = env["credit.grade"].search([("company_id", "=", env.company.id), ("code", "=", "B")])
for n in range({CUSTOMERS}):
    partner = env["res.partner"].create({{"name": f"Debtor {{n}}", "is_company": True, "customer_rank": 1,
        "email": f"debtor{{n}}@example.com", "user_id": users[0].id}})
    partner.credit_grade_id = grade
    move = env["account.move"].create({{"move_type": "out_invoice", "partner_id": partner.id,
        "invoice_date": today - timedelta(days=40), "invoice_date_due": today - timedelta(days=10),
        "invoice_payment_term_id": False,
        "invoice_line_ids": [Command.create({{"product_id": product.id, "quantity": 1,
                                             "price_unit": 100.0 + n, "tax_ids": [Command.clear()]}})]}})
    move.action_post()
"""
)
RUN = "env['credit.collection.run']._run(env.company, batch_size=1, auto_commit=True)\n"


@tagged("post_install", "-at_install")
class TestCreditCollectionsRpc(server.ServerCase):
    database_prefix = "credit_collections_rpc"
    setup_script = SETUP_SCRIPT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller, cls.collector, cls.manager = (
            server.JsonRpc(cls.url, cls.dbname, login, PASSWORD)
            for login in ("seller", "collector", "manager")
        )
        cls.partners = cls.admin("res.partner", "search", [("name", "=like", "Debtor %")], order="id")
        cls.plan = cls.admin("credit.collection.plan", "search", [("name", "=", "Gentle reminders")])[0]

    def refused(self, rpc, *call, **kwargs):
        with self.assertRaises(server.RpcError) as caught:
            rpc(*call, **kwargs)
        return caught.exception

    def emails_per_customer(self):
        rows = server.psql(
            self.dbname,
            "SELECT e.partner_id, count(*) FROM credit_collection_event e "
            "JOIN mail_mail m ON m.id = e.mail_id WHERE e.channel = 'email' GROUP BY e.partner_id",
        )
        return dict(rows)

    def test_1_a_killed_run_and_its_rerun_send_one_email_each(self):
        # The run takes customers one batch at a time in id order; the second customer's row, locked
        # here, stops it after the first batch's commit, where it is killed.
        lock = server.connect(self.dbname)
        try:
            with lock.cursor() as cr:
                cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [self.partners[1]])
            child = subprocess.Popen(
                server.odoo_command(self.dbname, "shell", "--no-http"),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,
            )
            child.stdin.write(RUN)
            child.stdin.close()
            deadline = time.monotonic() + 300
            while not self.emails_per_customer():
                self.assertIsNone(child.poll(), "the run ended before it was killed")
                self.assertLess(time.monotonic(), deadline, "the run never committed its first batch")
                time.sleep(0.2)
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        finally:
            lock.rollback()
            lock.close()
        self.assertEqual(self.emails_per_customer(), {self.partners[0]: 1}, "one batch committed")
        self.wait_for_the_killed_session()
        rerun = server.odoo_shell(self.dbname, RUN)
        self.assertEqual(rerun.returncode, 0, rerun.stderr[-2000:])
        self.assertEqual(self.emails_per_customer(), dict.fromkeys(self.partners, 1))
        rerun = server.odoo_shell(self.dbname, RUN)
        self.assertEqual(self.emails_per_customer(), dict.fromkeys(self.partners, 1), "and never again")

    def wait_for_the_killed_session(self):
        """The killed process's database session ends when PostgreSQL notices; until then it holds the
        run's lock and a rerun would find the run busy."""
        deadline = time.monotonic() + 60
        while server.psql(
            "postgres",
            "SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            f"WHERE l.locktype = 'advisory' AND d.datname = '{self.dbname}'",
        ):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)

    def test_2_each_user_does_what_their_group_allows(self):
        partner = self.partners[0]
        events = self.seller(
            "credit.collection.event", "search_read", [("partner_id", "=", partner)], ["channel"]
        )
        self.assertTrue(events, "a salesperson reads the collections of their customers")
        for call in (
            ("credit.collection.event", "create", {"partner_id": partner, "channel": "call"}),
            ("credit.payment.promise", "create", {"partner_id": partner, "amount": 50, "date": "2099-01-01"}),
            ("res.partner", "write", [partner], {"credit_hold_collections": False}),
            ("res.partner", "write", [partner], {"credit_collector_id": False}),
            ("credit.collection.plan", "write", [self.plan], {"name": "Mine"}),
            ("res.partner", "action_credit_send_statement", [partner]),
        ):
            with self.subTest(user="seller", call=call[:2]):
                self.assertEqual(self.refused(self.seller, *call).name, "odoo.exceptions.AccessError")
        call = self.collector(
            "credit.collection.event",
            "create",
            {"partner_id": partner, "channel": "call", "note": "Will pay"},
        )
        self.assertTrue(call)
        for rpc, args, error in (
            (("credit.collection.event", "write", [call], {"note": "changed"}), {}, "AccessError"),
            (
                ("credit.collection.event", "create", {"partner_id": partner, "channel": "email"}),
                {},
                "UserError",
            ),
            (("credit.collection.plan", "write", [self.plan], {"name": "Mine"}), {}, "AccessError"),
            (("res.partner", "write", [partner], {"credit_hold_collections": True}), {}, "AccessError"),
            (
                (
                    "credit.payment.promise",
                    "create",
                    {"partner_id": partner, "amount": 50, "date": "2099-01-01", "state": "kept"},
                ),
                {},
                "UserError",
            ),
            (
                (
                    "credit.payment.promise",
                    "create",
                    {"partner_id": partner, "amount": "abc", "date": "2099-01-01"},
                ),
                {},
                "ValidationError",
            ),
        ):
            with self.subTest(user="collector", call=rpc[:2]):
                self.assertEqual(self.refused(self.collector, *rpc, **args).name, f"odoo.exceptions.{error}")
        promise = self.collector(
            "credit.payment.promise", "create", {"partner_id": partner, "amount": 50, "date": "2099-01-01"}
        )
        self.assertEqual(
            self.collector("credit.payment.promise", "read", [promise], ["state"])[0]["state"], "open"
        )
        levels = self.manager(
            "credit.collection.level", "search", [("plan_id", "=", self.plan)], order="sequence"
        )
        error = self.refused(self.manager, "credit.collection.level", "write", [levels[-1]], {"days": 7})
        self.assertEqual(error.name, "odoo.exceptions.ValidationError")
        self.assertIn("Days", error.message)
        self.manager("credit.collection.plan", "write", [self.plan], {"name": "Gentle"})
