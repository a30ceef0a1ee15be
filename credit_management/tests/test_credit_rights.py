from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditRights(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.customer("Rights Co")
        cls.paid_invoice(cls.partner, 1000, -100, days_late=1)
        cls.engine._rescore(cls.company, cls.partner.ids, "manual")

    def test_salesperson_reads_credit_information(self):
        values = self.partner.with_user(self.salesman).read(
            [
                "credit_score",
                "credit_grade_id",
                "credit_limit",
                "credit_hold",
                "credit_exposure",
                "credit_available",
                "property_payment_term_id",
            ]
        )[0]
        self.assertEqual(values["credit_grade_id"][0], self.partner.credit_grade_id.id)
        self.assertEqual(values["credit_limit"], self.partner.credit_limit)

    def test_salesperson_cannot_change_credit_fields(self):
        partner = self.partner.with_user(self.salesman)
        term = self.env.ref("account.account_payment_term_immediate")
        for vals in (
            {"credit_limit": 999999},
            {"credit_hold": False},
            {"credit_score": 100},
            {"credit_grade_id": self.grades["A"].id},
            {"property_payment_term_id": term.id},
            {"credit_limit_manual": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                partner.write(vals)
        with self.assertRaises(AccessError):
            self.env["credit.hold.wizard"].with_user(self.salesman).create(
                {"partner_ids": self.partner.ids, "reason": "x"}
            ).action_confirm()
        with self.assertRaises(AccessError):
            self.grades["E"].with_user(self.salesman).write({"limit_amount": 1e9})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.salesman).write({"hold_overdue_days": 9999})

    def test_controller_changes_limits_and_holds(self):
        partner = self.partner.with_user(self.controller)
        partner.write({"credit_limit": 5555})
        partner.action_credit_hold()
        self.assertRecordValues(self.partner, [{"credit_limit": 5555, "credit_limit_manual": True}])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.controller).write({"hold_overdue_days": 9999})

    def test_user_without_credit_group_sees_nothing(self):
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.partner.with_user(clerk).read(["credit_score"])
        with self.assertRaises(AccessError):
            self.env["credit.score.history"].with_user(clerk).search([])

    def test_a_credit_review_is_the_controllers_to_close(self):
        sales_manager = new_test_user(
            self.env, login="review_sales_manager", groups="base.group_user,sales_team.group_sale_manager"
        )
        partner = self.customer("Reviewed Co", user_id=self.salesman.id)
        self.env["credit.scoring.notifier"]._alert(self.company, partner.ids, "score_below")
        review = partner.activity_ids.filtered("credit_alert_kind")
        todo = partner.activity_schedule("mail.mail_activity_data_todo", user_id=self.controller.id)
        todo.with_user(sales_manager).action_done()
        self.assertFalse(todo.exists(), "a sales manager may close another's to-do on a customer")
        tomorrow = {"date_deadline": self.days(1)}
        closers = {
            "action_done": lambda activity: activity.action_done(),
            "unlink": lambda activity: activity.unlink(),
            "archive": lambda activity: activity.write({"active": False}),
            "reassign": lambda activity: activity.write({"user_id": sales_manager.id}),
            "reschedule": lambda activity: activity.write(tomorrow),
        }
        for user in (self.salesman, sales_manager):
            for how, close in closers.items():
                with self.subTest(user=user.login, how=how), self.assertRaises(AccessError):
                    close(review.with_user(user))
        review.with_user(self.controller).action_done()
        self.assertFalse(review.exists())

    def test_the_review_a_salesperson_asked_for_is_the_controllers_too(self):
        """On their own quotation, which they may edit: the guard alone keeps the review open."""
        blocked = self.customer("Review Asker Co")
        blocked.write({"credit_hold": True, "credit_hold_reason": "Audit"})
        order = self.order(blocked, 100).with_user(self.salesman)
        order.action_credit_ask_review()
        review = order.activity_ids
        self.assertEqual(review.user_id, self.controller)
        todo = order.activity_schedule("mail.mail_activity_data_todo", user_id=self.controller.id)
        todo.action_done()
        self.assertFalse(todo.exists(), "the salesperson may close another's to-do on their quotation")
        for close in (lambda a: a.action_done(), lambda a: a.unlink(), lambda a: a.write({"active": False})):
            with self.assertRaises(AccessError):
                close(review)
