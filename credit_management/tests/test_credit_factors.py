from odoo.tests import tagged

from .. import scoring
from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditFactors(CreditCommon):
    """Each scoring factor measured on a crafted payment history, read back from the history row."""

    def test_punctual_customer(self):
        partner = self.customer("Punctual")
        for start in (-200, -150, -100):
            self.paid_invoice(partner, 1000, start, days_late=-2)
        self.rescore(partner)
        self.assertRecordValues(
            self.last_history(partner),
            [
                {
                    "on_time_ratio": 1.0,
                    "avg_dbt": 0.0,
                    "overdue_ratio": 0.0,
                    "max_days_overdue": 0.0,
                    "volume_12m": 3000.0,
                }
            ],
        )
        self.assertGreaterEqual(partner.credit_score, 80)
        self.assertEqual(partner.credit_grade_id, self.grades["A"])

    def test_chronically_late_customer(self):
        partner = self.customer("Late")
        self.paid_invoice(partner, 1000, -200, days_late=20)
        self.paid_invoice(partner, 3000, -150, days_late=40)
        self.rescore(partner)
        history = self.last_history(partner)
        self.assertEqual(history.on_time_ratio, 0.0)
        # amount-weighted: (1000 * 20 + 3000 * 40) / 4000
        self.assertAlmostEqual(history.avg_dbt, 35.0)
        self.assertAlmostEqual(partner.credit_avg_days_late, 35.0)
        self.assertLess(partner.credit_score, 60)

    def test_partial_payments_count_pro_rata(self):
        partner = self.customer("Partial")
        move = self.invoice(partner, 1000, invoice_days=-100, due_days=30)  # due at -70
        self.pay(move, -71, amount=400)  # on time
        self.pay(move, -60, amount=600)  # 10 days late
        self.rescore(partner)
        history = self.last_history(partner)
        self.assertAlmostEqual(history.on_time_ratio, 0.4)
        self.assertAlmostEqual(history.avg_dbt, 6.0)

    def test_open_overdue_items(self):
        partner = self.customer("Overdue")
        self.paid_invoice(partner, 1000, -200, days_late=0)
        self.invoice(partner, 600, invoice_days=-75, due_days=30)  # 45 days overdue
        self.invoice(partner, 400, invoice_days=-10, due_days=30)  # not due
        self.rescore(partner)
        history = self.last_history(partner)
        self.assertEqual(history.max_days_overdue, 45)
        self.assertAlmostEqual(history.overdue_ratio, 0.6)
        self.assertEqual(partner.credit_max_days_overdue, 45)
        self.assertEqual(partner.credit_overdue_amount, 600)

    def test_deteriorating_customer_scores_lower_than_before(self):
        partner = self.customer("Deteriorating")
        for start in (-330, -300, -270):
            self.paid_invoice(partner, 1000, start, days_late=0)
        self.rescore(partner)
        good_score = partner.credit_score
        self.paid_invoice(partner, 1000, -150, days_late=25)
        self.invoice(partner, 2000, invoice_days=-100, due_days=30)  # 70 days overdue
        self.rescore(partner)
        self.assertLess(partner.credit_score, good_score - 20)
        self.assertEqual(self.last_history(partner).previous_score, good_score)

    def test_new_customer_gets_new_customer_grade(self):
        partner = self.customer("Brand New")
        summary = self.rescore(partner)
        self.assertEqual(summary["count"], 1)
        self.assertEqual(partner.credit_grade_id, self.policy.new_customer_grade_id)
        self.assertFalse(partner.credit_score)
        self.assertIn("No invoicing history", self.last_history(partner).note)

    def test_credit_notes_give_refund_ratio_and_are_not_payments(self):
        partner = self.customer("Refunds")
        move = self.invoice(partner, 1000, invoice_days=-100, due_days=30)
        refund = self.refund(partner, 200, invoice_days=-50)
        (move + refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.pay(move, -80)  # pays the remaining 800, 10 days late
        self.rescore(partner)
        history = self.last_history(partner)
        self.assertAlmostEqual(history.refund_ratio, 0.2)
        # the credit note settled 200 twenty days late, but only the payment counts
        self.assertAlmostEqual(history.avg_dbt, 0.0)
        self.assertAlmostEqual(history.on_time_ratio, 1.0)

    def test_foreign_currency_in_company_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": self.days(-400),
                "rate": 0.5,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        partner = self.customer("Foreign")
        move = self.invoice(
            partner, 1000, invoice_days=-100, due_days=30, currency=eur
        )  # 2000 in company currency
        self.pay(move, -60)  # 10 days late
        self.rescore(partner)
        history = self.last_history(partner)
        self.assertAlmostEqual(history.volume_12m, 2000.0)
        self.assertAlmostEqual(history.avg_dbt, 10.0)

    def test_every_score_is_explained(self):
        partner = self.customer("Explained")
        self.paid_invoice(partner, 1000, -200, days_late=5)
        self.rescore(partner)
        history = self.last_history(partner)
        points = sum(history[f"{name}_points"] for name in scoring.FACTORS)
        self.assertAlmostEqual(points, history.score, delta=0.1)
        self.assertTrue(partner.credit_breakdown_html)
        self.assertIn("On-time ratio", partner.credit_breakdown_html)
        self.assertNotIn("<polyline", partner.credit_breakdown_html, "one score is not a line")
        self.invoice(partner, 3000, invoice_days=-100, due_days=30)
        self.rescore(partner)
        partner.invalidate_recordset(["credit_breakdown_html"])
        self.assertIn("<polyline", partner.credit_breakdown_html)
