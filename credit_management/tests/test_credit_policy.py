from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditPolicy(CreditCommon):
    """The grade's rule sets limit and term; promotion, demotion and holds move them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Default breakpoints put a customer whose only flaw is one open item in grade B or C;
        # fixed limits make the expected figures independent of sales volume.
        for code in "ABCD":
            cls.grades[code].write(
                {"limit_method": "fixed", "limit_amount": 10000, "limit_floor": 0, "limit_cap": 20000}
            )

    def punctual(self, name, invoices=3):
        partner = self.customer(name)
        for i in range(invoices):
            self.paid_invoice(partner, 1000, -300 + 40 * i, days_late=-1)
        return partner

    def test_grade_sets_limit_and_term(self):
        partner = self.punctual("Gradeful", invoices=2)  # below the promotion streak
        self.rescore(partner)
        grade = partner.credit_grade_id
        self.assertEqual(grade, self.grades["A"])
        self.assertEqual(partner.credit_limit, 10000)
        self.assertEqual(partner.property_payment_term_id, grade.payment_term_id)
        self.assertTrue(grade.payment_term_id)

    def test_contacts_share_the_company_profile(self):
        partner = self.punctual("Parent Co", invoices=2)
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": partner.id})
        self.rescore(partner)
        self.assertRecordValues(
            contact,
            [
                {
                    "credit_grade_id": partner.credit_grade_id.id,
                    "credit_limit": partner.credit_limit,
                    "property_payment_term_id": partner.property_payment_term_id.id,
                }
            ],
        )

    def test_manual_limit_is_left_alone(self):
        partner = self.punctual("Manual", invoices=2)
        term = self.env.ref("account.account_payment_term_immediate")
        partner.with_user(self.controller).write({"credit_limit": 1234, "property_payment_term_id": term.id})
        self.assertTrue(partner.credit_limit_manual, "a limit set by hand sticks")
        self.rescore(partner)
        self.assertEqual(partner.credit_limit, 1234)
        self.assertEqual(partner.property_payment_term_id, term)
        self.assertEqual(partner.credit_grade_id, self.grades["A"], "the grade still follows the score")

    def test_promotion_after_consecutive_on_time_invoices(self):
        partner = self.punctual("Promoted", invoices=2)
        self.rescore(partner)
        self.assertEqual(partner.credit_limit, 10000, "two on time are not enough")
        self.paid_invoice(partner, 1000, -60, days_late=-1)
        summary = self.rescore(partner)
        self.assertEqual(summary["promoted"], 1)
        self.assertEqual(partner.credit_limit, 12000)
        self.assertEqual(partner.credit_promoted_date, self.today)
        self.assertIn("promoted: 3 invoices in a row paid on time", partner.message_ids[0].body)
        self.assertIn("Promoted", self.last_history(partner).note)
        # the same invoices never earn a second promotion
        self.rescore(partner)
        self.assertEqual(partner.credit_limit, 12000)

    def test_first_scoring_is_silent_but_explained(self):
        partner = self.punctual("Promoted on arrival", invoices=3)
        messages = len(partner.message_ids)
        summary = self.rescore(partner)
        self.assertEqual(summary["promoted"], 1)
        self.assertEqual(partner.credit_limit, 12000)
        self.assertEqual(len(partner.message_ids), messages, "no chatter note for a first scoring")
        self.assertFalse(self.alerts(partner))
        note = self.last_history(partner).note
        self.assertIn("First scoring", note)
        self.assertIn("Promoted", note)

    def test_promotion_is_capped_by_the_grade(self):
        self.grades["A"].limit_cap = 11000
        partner = self.punctual("Capped", invoices=3)
        self.rescore(partner)
        self.assertEqual(partner.credit_limit, 11000)

    def test_late_invoice_breaks_the_streak(self):
        partner = self.punctual("Streak", invoices=2)
        self.paid_invoice(partner, 1000, -150, days_late=5)
        self.paid_invoice(partner, 1000, -120, days_late=0)
        self.paid_invoice(partner, 1000, -100, days_late=0)
        self.rescore(partner)
        self.assertEqual(partner.credit_limit_factor, 1.0, "only two on time since the late one")

    def test_demotion_cuts_limit_once_per_episode(self):
        partner = self.punctual("Demoted", invoices=2)
        self.rescore(partner)
        limit_before = partner.credit_limit
        self.invoice(partner, 500, invoice_days=-70, due_days=30)  # 40 days overdue
        summary = self.rescore(partner)
        self.assertEqual(summary["demoted"], 1)
        self.assertAlmostEqual(partner.credit_limit_factor, 0.75)
        self.assertEqual(partner.credit_limit, 10000 * 0.75)
        self.assertLess(partner.credit_limit, limit_before)
        self.assertEqual(partner.property_payment_term_id, partner.credit_grade_id.payment_term_id)
        self.assertIn("demoted", partner.message_ids[0].body)
        self.assertIn("Credit limit changed", self.last_history(partner).note)
        self.rescore(partner)
        self.assertAlmostEqual(partner.credit_limit_factor, 0.75, "the same overdue item demotes once")

    def test_hold_placed_past_threshold_and_lifted_when_paid(self):
        partner = self.punctual("On the edge", invoices=2)
        at_threshold = self.invoice(partner, 500, invoice_days=-120, due_days=30)  # exactly 90 days overdue
        self.rescore(partner)
        self.assertFalse(partner.credit_hold, "90 days is not more than 90")
        past = self.invoice(partner, 500, invoice_days=-121, due_days=30)  # 91 days
        summary = self.rescore(partner)
        self.assertEqual(summary["holds_placed"], 1)
        self.assertRecordValues(
            partner, [{"credit_hold": True, "credit_hold_automatic": True, "credit_hold_user_id": False}]
        )
        self.assertIn("91", partner.credit_hold_reason)
        self.assertEqual(len(self.alerts(partner, "hold")), 1)
        self.pay(past, 0)
        self.pay(at_threshold, 0)
        summary = self.rescore(partner)
        self.assertEqual(summary["holds_lifted"], 1)
        self.assertFalse(partner.credit_hold)
        self.assertIn("Credit hold lifted", partner.message_ids[0].body)

    def test_manual_hold_is_not_lifted_by_the_policy(self):
        partner = self.punctual("Disputed", invoices=2)
        wizard = (
            self.env["credit.hold.wizard"]
            .with_user(self.controller)
            .with_context(active_ids=partner.ids)
            .create({"reason": "Disputed invoices"})
        )
        wizard.action_confirm()
        self.assertRecordValues(
            partner,
            [
                {
                    "credit_hold": True,
                    "credit_hold_reason": "Disputed invoices",
                    "credit_hold_user_id": self.controller.id,
                }
            ],
        )
        self.assertFalse(self.alerts(partner, "hold"), "the controller placed it: nothing to review")
        other = self.punctual("Disputed Too", invoices=2)
        manager = new_test_user(
            self.env, login="hold_manager", groups="base.group_user,credit_management.group_credit_manager"
        )
        other.with_user(manager)._credit_set_hold(True, "Fraud suspicion")
        self.assertEqual(len(self.alerts(other, "hold")), 1, "placed by someone else: the controller reviews")
        self.rescore(partner)
        self.assertTrue(partner.credit_hold)
        partner.with_user(self.controller).action_credit_release()
        self.assertFalse(partner.credit_hold)

    def test_history_only_when_something_changed(self):
        partner = self.punctual("Stable", invoices=2)
        self.rescore(partner)
        count = self.env["credit.score.history"].search_count([("partner_id", "=", partner.id)])
        summary = self.rescore(partner)
        self.assertEqual(summary["changed"], 0)
        self.assertEqual(
            self.env["credit.score.history"].search_count([("partner_id", "=", partner.id)]), count
        )
        self.assertEqual(
            fields.Datetime.context_timestamp(partner, partner.credit_score_date).date(), self.today
        )


@tagged("post_install", "-at_install")
class TestCreditAlerts(CreditCommon):
    def test_grade_drop_alerts_the_controller_once(self):
        partner = self.customer("Dropping")
        for start in (-330, -300, -270):
            self.paid_invoice(partner, 1000, start, days_late=0)
        self.rescore(partner)
        self.assertFalse(self.alerts(partner))
        # then two invoices paid two months late and one open two months past due
        for start in (-240, -210):
            self.paid_invoice(partner, 1000, start, days_late=60)
        self.invoice(partner, 5000, invoice_days=-100, due_days=30)
        self.rescore(partner)
        drop = self.alerts(partner, "grade_drop")
        self.assertEqual(len(drop), 1)
        self.assertEqual(drop.user_id, self.controller)
        self.assertEqual(
            drop.activity_type_id, self.env.ref("credit_management.mail_activity_type_credit_review")
        )
        # the same alert again while the first is open: still one
        self.env["credit.scoring.notifier"]._alert(self.company, partner.ids, "grade_drop")
        self.assertEqual(len(self.alerts(partner, "grade_drop")), 1)
        drop.action_done()
        self.env["credit.scoring.notifier"]._alert(self.company, partner.ids, "grade_drop")
        self.assertEqual(len(self.alerts(partner, "grade_drop")), 1, "a new alert once the old one is done")

    def test_score_below_threshold_alerts_on_the_way_down(self):
        self.policy.alert_score_below = 70
        partner = self.customer("Sinking")
        self.paid_invoice(partner, 1000, -300, days_late=0)
        self.rescore(partner)
        self.assertGreater(partner.credit_score, 70)
        self.paid_invoice(partner, 1000, -200, days_late=60)
        self.rescore(partner)
        self.assertLess(partner.credit_score, 70)
        self.assertEqual(len(self.alerts(partner, "score_below")), 1)

    def test_utilisation_alert(self):
        self.policy.alert_utilisation_percent = 50
        partner = self.customer("Busy")
        self.paid_invoice(partner, 1000, -300, days_late=0)
        self.rescore(partner)
        self.invoice(partner, partner.credit_limit * 0.8, invoice_days=-1, due_days=30)
        self.rescore(partner)
        self.assertGreater(partner.credit_utilisation, 50)
        self.assertEqual(len(self.alerts(partner, "utilisation")), 1)

    def test_no_controller_no_activity(self):
        self.policy.controller_user_id = False
        partner = self.customer("Quiet")
        self.invoice(partner, 500, invoice_days=-200, due_days=30)
        self.rescore(partner)
        self.assertTrue(partner.credit_hold)
        self.assertFalse(self.alerts(partner))
