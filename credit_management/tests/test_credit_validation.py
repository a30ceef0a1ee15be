from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditValidation(CreditCommon):
    """Bad configuration is refused with the field named, and nothing is half-written."""

    def assertRefused(self, record, vals, *words):
        before = record.read(list(vals))[0]
        with self.assertRaises(ValidationError) as caught:
            record.write(vals)
        for word in words:
            self.assertIn(word, str(caught.exception))
        record.invalidate_recordset()
        self.assertEqual(record.read(list(vals))[0], before, "nothing half-written")

    def test_grade_bands_must_tile(self):
        self.assertRefused(self.grades["E"], {"min_score": 5}, "Min Score", "0")
        self.assertRefused(self.grades["D"], {"min_score": self.grades["C"].min_score}, "Min Score", "50")
        self.assertRefused(self.grades["A"], {"min_score": 120}, "Min Score")
        with self.assertRaises(ValidationError):
            self.grades["E"].unlink()

    def test_grade_amounts_not_negative(self):
        self.assertRefused(self.grades["B"], {"limit_amount": -1}, "Limit Amount")
        self.assertRefused(self.grades["B"], {"limit_percent": -5}, "Limit Percent")
        self.assertRefused(self.grades["B"], {"overdue_tolerance_days": -1}, "Overdue Tolerance Days")
        self.assertRefused(
            self.grades["B"], {"limit_cap": 100, "limit_floor": 500}, "Limit Cap", "Limit Floor"
        )

    def test_prepayment_share(self):
        for share in (0.0, -0.2, 1.5):
            with self.subTest(share=share):
                self.assertRefused(
                    self.grades["C"],
                    {"order_action": "prepayment", "prepayment_percent": share},
                    "Prepayment",
                )
        self.grades["C"].write({"order_action": "prepayment", "prepayment_percent": 1.0})
        self.assertEqual(self.grades["C"].order_action, "prepayment")

    def test_policy_settings(self):
        self.assertRefused(self.policy, {"lookback_days": 0}, "Lookback Days")
        self.assertRefused(self.policy, {"demote_percent": 150}, "Demote Percent")
        self.assertRefused(self.policy, {"promote_percent": -10}, "Promote Percent")
        self.assertRefused(self.policy, {"alert_score_below": 101}, "Alert Score Below")

    def test_factor_weights_and_breakpoints(self):
        lines = self.policy.factor_ids
        weights = lines.mapped("weight")
        with self.assertRaises(ValidationError) as caught:
            lines.write({"weight": 0})
        self.assertIn("Weight", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            lines[0].write({"weight": -1})
        self.assertIn("Weight", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            lines[0].write({"breakpoints": "zero:ten"})
        self.assertIn("Breakpoints", str(caught.exception))
        on_time = lines.filtered(lambda line: line.factor == "on_time_ratio")
        with self.assertRaises(ValidationError) as caught:
            on_time.write({"breakpoints": "0:100; 1:0"})  # better when higher, so sub-scores must rise
        self.assertIn("On-time ratio", str(caught.exception))
        lines.invalidate_recordset()
        self.assertEqual(lines.mapped("weight"), weights, "nothing half-written")

    def test_numbers_must_be_finite_numbers(self):
        for value in (float("nan"), float("inf"), float("-inf"), "abc", "1e999"):
            with self.subTest(value=value):
                self.assertRefused(self.policy, {"promote_percent": value}, "Promote Percent")
                self.assertRefused(self.grades["B"], {"limit_floor": value}, "Limit Floor")
                self.assertRefused(self.grades["B"], {"limit_months": value}, "Limit Months")
                factor = self.policy.factor_ids[:1]
                self.assertRefused(factor, {"weight": value}, "Weight")
                partner = self.customer(f"Finite {value}").with_user(self.controller)
                self.assertRefused(partner, {"credit_limit": value}, "Credit Limit")
        self.assertRefused(self.policy, {"lookback_days": 1.5}, "Lookback Days", "whole number")
        self.assertRefused(self.policy, {"lookback_days": "12.0"}, "Lookback Days", "whole number")
        self.policy.write({"lookback_days": "200"})
        self.assertEqual(self.policy.lookback_days, 200)
        with self.assertRaises(ValidationError):
            self.customer("Created NaN", credit_limit=float("nan"))

    def test_every_factor_line_cannot_be_deleted(self):
        lines = self.policy.factor_ids
        self.assertGreater(len(lines), 1)
        with self.assertRaises(ValidationError):
            lines.unlink()
        self.assertEqual(self.policy.factor_ids, lines, "nothing deleted")
        lines[:1].unlink()
        self.assertEqual(len(self.policy.factor_ids), len(lines) - 1, "one line of several may go")

    def test_broken_configuration_skips_its_company_only(self):
        other = self.env["res.company"].create({"name": "Credit Broken Co"})
        broken = self.env["credit.policy"]._for_company(other)
        partner = self.paid_customer("Scored Elsewhere")
        # a configuration no form accepts, as a database edit or an old version could leave it
        self.env.cr.execute("DELETE FROM credit_policy_factor WHERE policy_id = %s", [broken.id])
        self.env.invalidate_all()
        with self.assertLogs("odoo.addons.credit_management.models.credit_scoring_engine", "WARNING") as logs:
            self.env["res.partner"]._cron_credit_rescore()
        self.assertEqual(len(logs.output), 1)
        self.assertIn("Credit Broken Co", logs.output[0])
        self.assertTrue(partner.credit_grade_id, "the other companies are rescored")

    def paid_customer(self, name):
        partner = self.customer(name)
        self.paid_invoice(partner, 500, invoice_days=-90, days_late=0)
        return partner
