"""Learning a scorecard from a company's ledger, end to end, on ledgers written by the seed generator
(scripts/seed: customers with two years of invoices and payments, straight into the database, inside the
test's transaction)."""

import os
import sys

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))

from seed import seed


@tagged("post_install", "-at_install")
class TestLearnedScorecard(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.policy = cls.env["credit.policy"]._for_company(cls.company)
        groups = "base.group_user,sales_team.group_sale_salesman"
        cls.manager = new_test_user(
            cls.env,
            login="learn_manager",
            name="Mia Manager",
            groups=f"{groups},credit_management.group_credit_manager",
        )
        cls.controller = new_test_user(
            cls.env,
            login="learn_controller",
            name="Carla",
            groups=f"{groups},credit_management.group_credit_controller",
        )
        seed(cls.env, customers=160, rng_seed=11)
        cls.env.invalidate_all()

    def learn(self):
        action = self.policy.with_user(self.manager).action_learn_scorecard()
        return self.env["credit.scorecard"].browse(action["res_id"])

    def test_learn_then_activate(self):
        card = self.learn()
        self.assertRecordValues(card, [{"state": "draft", "origin": "learned", "policy_id": self.policy.id}])
        self.assertGreater(card.sample_count, 1000)
        self.assertGreater(card.customer_count, 100)
        self.assertGreater(card.auc, 0.6, "the learned scorecard ranks late payers last")
        self.assertGreater(card.baseline_auc, 0.5)
        self.assertGreater(card.active_auc, 0.5)
        self.assertTrue(card.line_ids)
        self.assertEqual(len(card.tables["grades"]["learned"]), 5)
        self.assertIn("<polyline", card.proof_html)
        self.assertIn(card.tables["grades"]["learned"][0]["group"], card.proof_html)
        self.assertIn("o_credit_scorecard_deciles", card.proof_html)
        self.assertEqual(len(card.tables["deciles"]), 10)
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("credit_management.action_report_scorecard", card.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

        with self.assertRaises(AccessError):
            card.with_user(self.controller).action_activate()
        if not card.monotone:
            with self.assertRaisesRegex(UserError, "not monotone"):
                card.with_user(self.manager).action_activate()
            card.with_user(self.manager).accept_non_monotone = True
        grades = self.env["credit.grade"].search([("company_id", "=", self.company.id)])
        bands_before = {grade.id: grade.min_score for grade in grades}
        self.assertEqual({band["grade_id"]: band["current"] for band in card.bands}, bands_before)
        card.with_user(self.manager).action_activate()
        self.assertEqual(card.state, "active")
        self.assertEqual(
            {grade.id: grade.min_score for grade in grades},
            {band["grade_id"]: band["proposed"] for band in card.bands},
            "the grades take the bands the scorecard was proven with",
        )
        weights = {line.factor: line.weight for line in self.policy.factor_ids}
        for line in card.line_ids:
            self.assertEqual(weights[line.factor], line.weight)
            policy_line = self.policy.factor_ids.filtered(lambda f, factor=line.factor: f.factor == factor)
            self.assertEqual(policy_line.breakpoints, line.breakpoints)
        previous = self.env["credit.scorecard"].search(
            [("policy_id", "=", self.policy.id), ("origin", "=", "manual")]
        )
        self.assertEqual(previous.state, "archived", "the hand-set factors are kept, archived")
        cron = self.env.ref("credit_management.ir_cron_credit_rescore")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]), "everyone is rescored soon"
        )
        self.assertFalse(self.policy.rescore_run_date)
        self.assertEqual(self.policy.rescore_scorecard_id, card)
        # the activation's rescoring re-grades the book in one decision: history rows, no alert per customer
        alerts_before = self.env["mail.activity"].search_count([("credit_alert_kind", "!=", False)])
        self.env["credit.scoring.engine"]._rescore_company(self.company)
        rows = self.env["credit.score.history"].search([("trigger", "=", "scorecard")])
        self.assertTrue(rows)
        self.assertIn(card.name, rows[0].note)
        self.assertEqual(
            self.env["mail.activity"].search_count([("credit_alert_kind", "!=", False)]), alerts_before
        )
        self.assertFalse(self.policy.rescore_scorecard_id, "the next runs are ordinary again")

        second = self.learn()
        second.accept_non_monotone = True
        second.with_user(self.manager).action_activate()
        self.assertEqual(card.state, "archived")
        self.assertEqual(second.state, "active")

        # rolling back to the hand-set scorecard restores its weights and its bands
        previous.with_user(self.manager).action_activate()
        self.assertEqual(previous.state, "active")
        self.assertEqual({grade.id: grade.min_score for grade in grades}, bands_before)
        weights = {line.factor: line.weight for line in self.policy.factor_ids}
        self.assertEqual(weights, {line.factor: line.weight for line in previous.line_ids})

    def test_monthly_backtest_alerts_the_managers_once(self):
        card = self.learn()
        card.accept_non_monotone = True
        card.with_user(self.manager).action_activate()
        review = self.env.ref("credit_management.mail_activity_type_scorecard_review")
        self.env["credit.scorecard"]._cron_monitor()
        self.assertTrue(card.monitor_date)
        self.assertGreater(card.monitor_auc, 0.5)
        card.activity_ids.unlink()
        # learned with a better AUC than the ledger gives now, accepted as not monotone: the AUC alone speaks
        card.write(
            {
                "auc": min(card.monitor_auc + self.policy.scorecard_alert_auc_drop + 0.01, 1.0),
                "monotone": False,
            }
        )
        self.env["credit.scorecard"]._cron_monitor()
        alerts = card.activity_ids.filtered(lambda a: a.activity_type_id == review)
        self.assertIn(self.manager, alerts.user_id)
        self.assertIn("AUC fell", alerts[0].note)
        self.env["credit.scorecard"]._cron_monitor()
        self.assertEqual(card.activity_ids.filtered(lambda a: a.activity_type_id == review), alerts, "once")
