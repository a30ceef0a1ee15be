from datetime import timedelta

import numpy as np

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .. import scoring
from .common import CreditCommon

COLUMN = {name: j for j, name in enumerate(scoring.FACTORS)}


@tagged("post_install", "-at_install")
class TestCreditBacktest(CreditCommon):
    """The backtest's samples are point in time: what the ledger knew at the cutoff, and the outcome of
    the invoices issued after it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backtest = cls.env["credit.backtest"]
        cls.cutoff = cls.today - timedelta(days=100)
        cls.manager = new_test_user(
            cls.env,
            login="backtest_manager",
            name="Mia Manager",
            groups="base.group_user,credit_management.group_credit_manager",
        )

    def samples(self, partner):
        data = self.backtest._samples(self.company, [self.cutoff], 3, 365, self.today)
        mine = data["partner_id"] == partner.id
        return {
            "values": data["values"][mine],
            "late_share": data["late_share"][mine],
            "late": {days: late[mine] for days, late in data["late"].items()},
            "invoice_id": data["invoice_id"][mine],
        }

    def history(self, name, paid_before_cutoff):
        """An invoice due 70 days before the cutoff, paid 65 days late (before the cutoff) or 75 days late
        (after it); then one issued 10 days after the cutoff and paid 15 days late."""
        partner = self.customer(name)
        old = self.invoice(partner, 1000, invoice_days=-200, due_days=30)
        self.pay(old, -105 if paid_before_cutoff else -95)
        sample = self.invoice(partner, 400, invoice_days=-90, due_days=30)
        self.pay(sample, -45)
        return partner, sample

    def test_a_payment_after_the_cutoff_is_not_known_at_the_cutoff(self):
        partner, sample = self.history("Backtest Paid After", paid_before_cutoff=False)
        data = self.samples(partner)
        self.assertEqual(data["invoice_id"].tolist(), [sample.line_ids.filtered("date_maturity")[:1].id])
        row = data["values"][0]
        self.assertTrue(np.isnan(row[COLUMN["on_time_ratio"]]), "no payment known yet")
        self.assertEqual(row[COLUMN["max_days_overdue"]], 70, "still open and overdue at the cutoff")
        self.assertEqual(row[COLUMN["overdue_ratio"]], 1.0)
        self.assertTrue(np.isnan(data["late_share"][0]))

    def test_the_same_payment_moved_before_the_cutoff_counts(self):
        partner, _sample = self.history("Backtest Paid Before", paid_before_cutoff=True)
        row = self.samples(partner)["values"][0]
        self.assertEqual(row[COLUMN["on_time_ratio"]], 0.0)
        self.assertEqual(row[COLUMN["avg_dbt"]], 65.0)
        self.assertEqual(row[COLUMN["max_days_overdue"]], 0.0, "nothing open at the cutoff")
        self.assertEqual(self.samples(partner)["late_share"][0], 1.0)

    def test_outcomes_by_threshold_and_undecided_ones_left_out(self):
        partner, _sample = self.history("Backtest Outcomes", paid_before_cutoff=True)
        self.invoice(partner, 300, invoice_days=-80, due_days=300)  # open, not due yet: undecided
        self.invoice(partner, 200, invoice_days=-70, due_days=30)  # open, 40 days overdue today
        late = self.samples(partner)["late"]
        self.assertEqual(late[0][0], 1.0, "paid 15 days late")
        self.assertEqual(late[10][0], 1.0)
        self.assertEqual(late[30][0], 0.0)
        self.assertTrue(all(np.isnan(late[days][1]) for days in late), "not decided yet")
        self.assertEqual([late[days][2] for days in (0, 10, 30)], [1.0, 1.0, 1.0])

    def test_a_big_ledger_is_sampled_by_customer(self):
        partner, _sample = self.history("Backtest Sampled", paid_before_cutoff=True)
        for i in range(7):  # enough customers that a half share is a real choice
            self.invoice(self.customer(f"Backtest Sampled {i}"), 100, invoice_days=-90)
        accounts = self.env["credit.exposure"]._receivable_accounts(self.company)
        self.assertEqual(
            self.backtest._customer_share(self.company, accounts, 10**9), 1000, "all of a small one"
        )
        self.assertEqual(
            self.backtest._customer_share(self.company, accounts, 0), 1, "at least one in a thousand"
        )
        partners = {}
        for share in (1000, 500):
            self.env.cr.execute(self.backtest._samples_query(self.company, accounts, [self.cutoff], 3, share))
            partners[share] = [row[1] for row in self.env.cr.fetchall()]
        self.assertIn(partner.id, partners[1000])
        self.env.cr.execute(
            "SELECT id FROM unnest(%s::int[]) AS id WHERE mod(abs(hashint4(id)), 1000) < 500",
            [sorted(set(partners[1000]))],
        )
        chosen = {row[0] for row in self.env.cr.fetchall()}
        self.assertEqual(
            partners[500],
            [p for p in partners[1000] if p in chosen],
            "every sample of the customers the hash chooses",
        )

    def test_cutoffs_follow_the_ledger(self):
        cutoffs = self.backtest._cutoffs(self.company, self.today, months=24)
        self.assertLessEqual(len(cutoffs), 24)
        self.assertTrue(all(day < self.today for day in cutoffs))
        self.assertTrue(all((day + timedelta(days=1)).day == 1 for day in cutoffs), "month ends")

    def test_too_little_history_leaves_the_active_scorecard_alone(self):
        lines = self.policy.factor_ids.read(["factor", "weight", "breakpoints"])
        with self.assertRaisesRegex(UserError, "Not enough payment history"):
            self.policy.with_user(self.manager).action_learn_scorecard()
        self.assertEqual(self.policy.factor_ids.read(["factor", "weight", "breakpoints"]), lines)
        self.assertFalse(self.env["credit.scorecard"].search([("company_id", "=", self.company.id)]))

    def test_only_managers_learn(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.controller).action_learn_scorecard()
