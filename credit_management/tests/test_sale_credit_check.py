from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestSaleCreditCheck(CreditCommon):
    """Every path of the credit check at order confirmation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="credit_manager",
            name="Mia Manager",
            groups="base.group_user,sales_team.group_sale_salesman,credit_management.group_credit_manager",
        )
        cls.grades["C"].overdue_tolerance_days = 5
        cls.review = cls.env.ref("credit_management.mail_activity_type_credit_review")
        cls.approval_type = cls.env.ref("credit_management.mail_activity_type_credit_approval")
        cls.decision = cls.env.ref("credit_management.mail_activity_type_credit_decision")

    def confirm(self, orders, user=None):
        return orders.with_user(user or self.salesman).action_confirm()

    def assertUnchanged(self, order, before, messages):
        order.invalidate_recordset()
        self.assertEqual(order.read(["state", "amount_total", "date_order", "locked"])[0], before)
        self.assertEqual(len(order.message_ids), messages)

    # ------------------------------------------------------------------
    # Before the click
    # ------------------------------------------------------------------
    def test_quotation_shows_the_figures_before_confirming(self):
        partner = self.graded_customer("Shown", "B", 1000)
        self.invoice(partner, 300, invoice_days=-5)
        order = self.order(partner, 500)
        self.assertRecordValues(
            order,
            [
                {
                    "credit_grade_id": self.grades["B"].id,
                    "credit_limit": 1000,
                    "credit_exposure": 800,
                    "credit_available": 200,
                    "credit_check_action": "allow",
                    "credit_check_level": "info",
                }
            ],
        )
        self.assertIn("Within credit", order.credit_check_message)
        order.order_line.price_unit = 900
        self.assertEqual(order.credit_check_action, "allow", "grade B allows over the limit")
        self.assertIn("allows it, although exposure", order.credit_check_message)
        self.assertEqual(order.credit_available, -200)

    def test_exposure_counts_receivables_drafts_and_open_orders(self):
        partner = self.graded_customer("Exposed", "D", 10000)
        self.invoice(partner, 1000, invoice_days=-5)  # open receivable
        self.invoice(partner, 200, invoice_days=-1, post=False)  # draft invoice
        confirmed = self.order(partner, 300)
        self.confirm(confirmed)
        half = self.order(partner, 400)
        self.confirm(half)
        half.order_line.qty_delivered = 0
        invoice = half._create_invoices()
        invoice.invoice_line_ids.quantity = 0.5  # 200 of the 400 are invoiced (draft)
        order = self.order(partner, 100)
        # 1000 open + (200 + 200 draft invoices) + 300 + 200 uninvoiced orders + 100 this order
        self.assertEqual(order.credit_exposure, 2000)

    def test_exposure_alone_equals_exposure_among_others(self):
        """One customer, the check's case, is read by the database function; several by a statement of
        their own. Both give the same figures, over every receivable account and none other."""
        partner = self.graded_customer("Alone", "D", 10000)
        other = self.graded_customer("Among", "D", 10000)
        self.confirm(self.order(partner, 300))  # confirmed while nothing is overdue
        self.invoice(partner, 1000, invoice_days=-40, due_days=30)  # 10 days overdue
        self.invoice(partner, 200, invoice_days=-1, post=False)
        self.invoice(other, 500, invoice_days=-70, due_days=30)
        second = self.env["account.account"].create(
            {
                "name": "Receivable (export)",
                "code": "121999",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        partner.property_account_receivable_id = second
        self.invoice(partner, 50, invoice_days=-3, due_days=30)  # open, on the second account
        income = self.env["account.account"].search([("account_type", "=", "income")], limit=1)
        receipts = self.env["account.account"].create(
            {
                "name": "Outstanding receipts",
                "code": "101999",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        self.env["account.move"].create(  # an open line of the customer's on another reconcilable account
            {
                "journal_id": self.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", self.company.id)], limit=1)
                .id,
                "line_ids": [
                    Command.create(
                        {"account_id": account.id, "partner_id": partner.id, "debit": debit, "credit": credit}
                    )
                    for account, debit, credit in (
                        (receipts, 70, 0),
                        (income, 0, 70),
                    )
                ],
            }
        ).action_post()
        exposure = self.env["credit.exposure"]
        alone = exposure._exposure(self.company, [partner.id])
        among = exposure._exposure(self.company, [other.id, partner.id])
        at = list(among["ids"]).index(partner.id)
        for key in ("receivable", "overdue", "max_days_overdue", "draft_invoices", "orders", "exposure"):
            self.assertEqual(alone[key][0], among[key][at], key)
        self.assertEqual(alone["receivable"][0], 1050)
        self.assertEqual(alone["overdue"][0], 1000)
        self.assertEqual(alone["exposure"][0], 1550)
        self.assertEqual(alone["max_days_overdue"][0], 10)
        self.assertEqual(among["exposure"][1 - at], 500)
        nothing = exposure._exposure(self.company, [self.customer("Nothing").id])
        self.assertEqual((nothing["exposure"][0], nothing["has_open_items"][0]), (0, False))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def test_allow(self):
        partner = self.graded_customer("Fine", "D", 1000)
        order = self.order(partner, 400)
        self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_approval_ids)

    def test_exposure_read_with_the_lock_and_without_parallel_workers(self):
        """The lock goes first, in the round trip that reads the exposure. A long history makes the
        planner expect many rows: workers would cost more than the sum, so the function that reads one
        customer runs without them, and with a plan it keeps; the transaction's settings stay as they
        were."""
        partner = self.graded_customer("Serial", "B", 1000)
        self.invoice(partner, 300, invoice_days=-5)
        order = self.order(partner, 200)
        cr = self.env.cr
        cr.execute("SET LOCAL max_parallel_workers_per_gather = 3")
        exposure = type(self.env["credit.exposure"])
        original, seen = exposure._exposure, []

        def spy(service, *args, **kwargs):
            before = kwargs.get("before")
            seen.append(service.env.cr.mogrify(before).decode() if before else "")
            return original(service, *args, **kwargs)

        with patch.object(exposure, "_exposure", spy):
            self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertIn("INSERT INTO credit_check_lock", seen[0])
        cr.execute(
            "SELECT seq FROM credit_check_lock WHERE partner_id = %s AND company_id = %s",
            (partner.id, self.company.id),
        )
        self.assertEqual(cr.fetchone()[0], 1)
        cr.execute("SHOW max_parallel_workers_per_gather")
        self.assertEqual(cr.fetchone()[0], "3")
        cr.execute("SELECT proconfig FROM pg_proc WHERE proname = 'credit_management_customer_exposure'")
        self.assertCountEqual(
            cr.fetchone()[0], ["max_parallel_workers_per_gather=0", "plan_cache_mode=force_generic_plan"]
        )

    def test_block_raises_with_figures_and_changes_nothing(self):
        partner = self.graded_customer("Blocked", "E", 1000)
        self.invoice(partner, 900, invoice_days=-50, due_days=30)  # 20 days overdue
        order = self.order(partner, 400)
        self.assertEqual(order.credit_check_level, "danger")
        before = order.read(["state", "amount_total", "date_order", "locked"])[0]
        messages = len(order.message_ids)
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        text = str(caught.exception)
        for figure in ("1,000.00", "1,300.00", "300.00", "20 days"):
            self.assertIn(figure, text)
        self.assertUnchanged(order, before, messages)
        self.assertFalse(order.credit_approval_ids)

    def test_warn_confirms_with_note_and_alert(self):
        partner = self.graded_customer("Warned", "C", 1000)
        order = self.order(partner, 1500)
        self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertIn("credit warning", order.message_ids[0].body)
        alert = order.activity_ids.filtered(lambda a: a.activity_type_id == self.review)
        self.assertEqual(alert.user_id, self.controller)

    def test_approval_flow(self):
        partner = self.graded_customer("Needs OK", "D", 1000)
        order = self.order(partner, 1500)
        result = self.confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(result["params"]["title"], "Credit approval requested")
        request = order.credit_approval_ids
        self.assertRecordValues(
            request,
            [
                {
                    "state": "pending",
                    "amount": 1500,
                    "shortfall": 500,
                    "requested_by": self.salesman.id,
                    "partner_id": partner.id,
                }
            ],
        )
        self.assertEqual(order.credit_approval_state, "pending")
        todo = request.activity_ids
        self.assertEqual((todo.activity_type_id, todo.user_id), (self.approval_type, self.controller))
        self.confirm(order)
        self.assertEqual(len(order.credit_approval_ids), 1, "the pending request is reused")

        request.with_user(self.controller).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.activity_ids, "the controller's to-do is done")
        notice = order.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("Credit approved", notice.note)
        self.assertEqual(order.credit_check_level, "info")
        self.confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(notice.exists(), "the salesperson's to-do is done once the order is confirmed")

    def test_reject_needs_a_reason_and_notifies(self):
        partner = self.graded_customer("Refused", "D", 1000)
        order = self.order(partner, 1500)
        self.confirm(order)
        request = order.credit_approval_ids
        with self.assertRaises(UserError):
            request.with_user(self.controller).action_reject()
        wizard = (
            self.env["credit.approval.reject.wizard"]
            .with_user(self.controller)
            .create({"request_ids": request.ids, "reason": "Two invoices in dispute"})
        )
        wizard.action_reject()
        self.assertRecordValues(request, [{"state": "rejected", "decided_by": self.controller.id}])
        notice = order.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("Two invoices in dispute", notice.note)
        self.confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_approval_ids.mapped("state"), ["pending", "rejected"])

    def test_approval_expires(self):
        partner = self.graded_customer("Slow", "D", 1000)
        order = self.order(partner, 1500)
        self.confirm(order)
        request = order.credit_approval_ids
        request.with_user(self.controller).action_approve()
        request.sudo().expiry_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.env["credit.approval.request"]._cron_expire(), 1)
        self.assertEqual(request.state, "expired")
        self.confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_approval_state, "pending")

    def test_amount_raised_after_approval_needs_new_request(self):
        partner = self.graded_customer("Greedy", "D", 1000)
        order = self.order(partner, 1500)
        self.confirm(order)
        order.credit_approval_ids.with_user(self.controller).action_approve()
        order.order_line.price_unit = 1800
        self.confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_approval_ids.mapped("state"), ["pending", "approved"])
        self.assertEqual(order.credit_approval_ids[0].amount, 1800)

    def test_hold_blocks_even_within_limit(self):
        partner = self.graded_customer("Held", "A", 100000)
        self.env["credit.hold.wizard"].with_user(self.controller).with_context(active_ids=partner.ids).create(
            {"reason": "Bankruptcy filing"}
        ).action_confirm()
        order = self.order(partner, 10)
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        text = str(caught.exception)
        self.assertIn("credit hold", text)
        self.assertIn("Bankruptcy filing", text)
        self.assertIn(self.controller.name, text)
        self.assertEqual(order.state, "draft")

    def test_overdue_tolerance(self):
        partner = self.graded_customer("Tolerated", "C", 100000)
        overdue = self.invoice(partner, 100, invoice_days=-34, due_days=30)  # 4 days overdue
        order = self.order(partner, 10)
        self.assertEqual(order.credit_check_action, "allow")
        overdue.button_draft()
        overdue.write({"invoice_date_due": self.days(-6)})
        overdue.action_post()
        order.invalidate_recordset(["credit_check_action"])
        self.assertEqual(order.credit_check_action, "warn", "6 days is past the tolerance of 5")

    def test_the_decision_to_do_closes_however_the_order_is_confirmed(self):
        order = self.order(self.graded_customer("Approved, written", "D", 1000), 1500)
        self.confirm(order)
        order.credit_approval_ids.with_user(self.controller).action_approve()
        to_do = order.activity_ids.filtered(lambda a: a.activity_type_id == self.decision)
        self.assertEqual(to_do.user_id, self.salesman)
        order.with_user(self.salesman).write({"state": "sale"})  # RPC, an import: not the button
        self.assertEqual(order.state, "sale")
        self.assertFalse(to_do.exists() and to_do.active, "the to-do is done")

    def test_manager_override(self):
        partner = self.graded_customer("Overridden", "E", 1000)
        order = self.order(partner, 5000)
        with self.assertRaises(AccessError):
            self.env["credit.override.wizard"].with_user(self.salesman).create(
                {"order_ids": order.ids, "reason": "please"}
            )
        wizard = (
            self.env["credit.override.wizard"]
            .with_user(self.manager)
            .create({"order_ids": order.ids, "reason": "Bank guarantee received"})
        )
        wizard.action_confirm()
        self.assertEqual(order.state, "draft", "the manager may not edit this salesman's order")
        self.assertIn(
            "you can confirm", order.activity_ids.filtered(lambda a: a.user_id == self.salesman).summary
        )
        self.confirm(order)
        self.assertEqual(order.state, "sale", "the override lets the salesman confirm")
        self.assertFalse(order.activity_ids.filtered(lambda a: a.activity_type_id == self.decision))
        override = order.credit_approval_ids
        self.assertRecordValues(
            override, [{"kind": "override", "state": "approved", "decided_by": self.manager.id}]
        )
        self.assertTrue(any("Bank guarantee received" in body for body in order.message_ids.mapped("body")))
        self.assertTrue(any("Bank guarantee received" in body for body in partner.message_ids.mapped("body")))

    # ------------------------------------------------------------------
    # No way around it
    # ------------------------------------------------------------------
    def test_manager_with_rights_confirms_directly(self):
        partner = self.graded_customer("Overridden here", "E", 1000)
        order = self.order(partner, 5000, user=self.manager)
        self.env["credit.override.wizard"].with_user(self.manager).create(
            {"order_ids": order.ids, "reason": "Prepaid"}
        ).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_no_bypass_for_salespeople(self):
        partner = self.graded_customer("Bypass", "E", 1000)
        order = self.order(partner, 5000).with_user(self.salesman)
        for key in ("bypass_risk", "credit_bypass", "skip_credit_check", "credit_management.checks"):
            with self.subTest(context=key), self.assertRaises(UserError):
                order.with_context(**{key: True}).action_confirm()
        with self.assertRaises(UserError):
            order.write({"state": "sale"})
        with self.assertRaises(UserError):
            order.with_context(bypass_risk=True).write(order._prepare_confirmation_values())
        # an override wizard made by someone else, run by the salesperson
        wizard = self.env["credit.override.wizard"].sudo().create({"order_ids": order.ids, "reason": "x"})
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).action_confirm()
        # forging an approval
        with self.assertRaises(AccessError):
            self.env["credit.approval.request"].with_user(self.salesman).create(
                {
                    "order_id": order.id,
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "currency_id": self.currency.id,
                    "amount": 5000,
                    "state": "approved",
                    "kind": "override",
                }
            )
        self.assertEqual(order.state, "draft")

    def test_no_self_approval_and_no_approval_by_salespeople(self):
        partner = self.graded_customer("Self", "D", 1000)
        order = self.order(partner, 1500, user=self.controller)
        self.confirm(order, user=self.controller)
        request = order.credit_approval_ids
        with self.assertRaises(AccessError):
            request.with_user(self.controller).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).write({"state": "approved"})
        self.assertEqual(request.state, "pending")

    def test_decision_on_confirmed_or_cancelled_order_refused(self):
        partner = self.graded_customer("Late decision", "D", 1000)
        order = self.order(partner, 1500)
        self.confirm(order)
        request = order.credit_approval_ids
        order.with_user(self.salesman)._action_cancel()
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            request.with_user(self.controller).action_approve()

    def test_several_orders_count_against_each_other(self):
        partner = self.graded_customer("Batch", "E", 1000)
        orders = self.order(partner, 400) | self.order(partner, 400) | self.order(partner, 400)
        with self.assertRaises(UserError) as caught:
            self.confirm(orders)
        self.assertIn(orders[2].name, str(caught.exception))
        self.assertEqual(set(orders.mapped("state")), {"draft"}, "nothing confirmed")
        self.confirm(orders[:2])
        self.assertEqual(orders[:2].mapped("state"), ["sale", "sale"])

    def test_several_orders_approval_for_the_excess_only(self):
        partner = self.graded_customer("Batch approval", "D", 1000)
        orders = self.order(partner, 400) | self.order(partner, 400) | self.order(partner, 400)
        self.confirm(orders)
        self.assertEqual(orders.mapped("state"), ["sale", "sale", "draft"])
        self.assertEqual(orders[2].credit_approval_state, "pending")

    # ------------------------------------------------------------------
    # Bad input, currencies, companies
    # ------------------------------------------------------------------
    def test_currency_without_rate(self):
        partner = self.graded_customer("No rate", "A", 100000)
        chf = self.env.ref("base.CHF")
        chf.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", chf.id)]).unlink()
        order = self.order(partner, 100, currency=chf)
        self.assertEqual(order.credit_check_level, "danger")
        self.assertIn("no exchange rate", order.credit_check_message)
        with self.assertRaises(UserError) as caught:
            self.confirm(order)
        self.assertIn("CHF", str(caught.exception))
        self.assertEqual(order.state, "draft")

    def test_foreign_currency_at_todays_rate(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"name": self.today, "rate": 0.5, "currency_id": eur.id, "company_id": self.company.id}
        )
        partner = self.graded_customer("Euro", "E", 1000)
        small = self.order(partner, 400, currency=eur)  # 800 in company currency
        self.assertEqual(small.credit_exposure, 800)
        big = self.order(partner, 600, currency=eur)  # 1200
        self.assertEqual(big.credit_check_action, "block")
        self.confirm(small)
        self.assertEqual(small.state, "sale")

    def test_customer_without_grade_gets_new_customer_grade(self):
        partner = self.customer("Unknown")
        new_grade = self.policy.new_customer_grade_id
        self.assertEqual(new_grade, self.grades["C"])
        order = self.order(partner, 1500)
        self.assertEqual(order.credit_grade_id, new_grade)
        self.assertEqual(order.credit_limit, new_grade.limit_floor)
        self.assertEqual(order.credit_check_action, "allow")
        order.order_line.price_unit = new_grade.limit_floor + 500
        self.assertEqual(order.credit_check_action, new_grade.order_action)

    def test_other_company_uses_its_own_profile(self):
        company_b = self.env["res.company"].create({"name": "Check B", "currency_id": self.currency.id})
        self.env.user.company_ids |= company_b
        self.salesman.company_ids |= company_b
        partner = self.graded_customer("Two companies", "E", 100)
        partner.with_company(company_b).write(
            {
                "credit_grade_id": self.env["credit.grade"]
                .search([("company_id", "=", company_b.id), ("code", "=", "A")])
                .id,
                "credit_limit": 100000,
                "credit_limit_manual": True,
            }
        )
        order_a = self.order(partner, 500)
        order_b = self.order(partner, 500, company=company_b)
        self.assertEqual(order_a.credit_check_action, "block")
        self.assertEqual(order_b.credit_check_action, "allow")
        self.confirm(order_b.with_company(company_b))
        self.assertEqual(order_b.state, "sale")
        self.assertEqual(self.order(partner, 1).credit_exposure, 1, "company B's order is not A's exposure")

    def test_delivery_address_contact_uses_company_profile(self):
        partner = self.graded_customer("Parent", "E", 1000)
        contact = self.env["res.partner"].create(
            {"name": "Site", "parent_id": partner.id, "type": "delivery"}
        )
        order = self.order(contact, 1500)
        order.order_line = [Command.create({"product_id": self.product.id, "price_unit": 1})]
        with self.assertRaises(UserError):
            self.confirm(order)

    def test_a_blocked_salesperson_asks_for_a_review(self):
        partner = self.graded_customer("Blocked Asker", "E", 0)
        self.invoice(partner, 300, invoice_days=-50, due_days=30)  # 20 days overdue; E allows none
        order = self.order(partner, 400)
        self.assertIn("20 days overdue and grade", order.credit_check_message)
        self.assertIn("Ask for a review", order.credit_check_message)
        self.assertNotIn("tolerance", order.credit_check_message)
        with self.assertRaises(UserError):
            self.confirm(order)
        for _click in range(2):
            order.with_user(self.salesman).action_credit_ask_review()
        asked = order.activity_ids.filtered(lambda activity: activity.activity_type_id == self.review)
        self.assertEqual(
            asked.user_id, self.controller, "one activity for the controller, however many clicks"
        )
        self.assertIn(order.name, asked.note)
        self.policy.controller_user_id = False
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_credit_ask_review()
        self.policy.controller_user_id = self.controller
        allowed = self.order(self.graded_customer("Not Blocked", "A", 100000), 100)
        with self.assertRaises(UserError, msg="over RPC too: nothing to review on an order that passes"):
            allowed.with_user(self.salesman).action_credit_ask_review()
        self.assertFalse(allowed.activity_ids)

    def test_the_block_dialog_offers_a_review(self):
        partner = self.graded_customer("Dialog Blocked", "E", 0)
        self.invoice(partner, 300, invoice_days=-50, due_days=30)
        order = self.order(partner, 400)
        clicked = order.with_context(credit_review_offer=True)  # the form's Confirm button
        with self.assertRaises(RedirectWarning) as caught:
            self.confirm(clicked)
        message, action_id, button, context = caught.exception.args
        self.assertIn(f"Ask for a review: {self.controller.name} will look at it", message)
        self.assertEqual(button, "Ask for a Review")
        self.assertEqual(
            context, {"active_model": "sale.order", "active_id": order.id, "active_ids": [order.id]}
        )
        self.assertEqual(order.state, "draft")
        # the button runs the server action on the quotation, as the salesperson
        action = self.env["ir.actions.server"].browse(action_id).with_user(self.salesman)
        result = action.with_context(**context).run()
        self.assertEqual(result["tag"], "display_notification")
        asked = order.activity_ids.filtered(lambda activity: activity.activity_type_id == self.review)
        self.assertEqual(asked.user_id, self.controller)
        # RPC callers, several orders, or no controller to ask: the plain refusal
        with self.assertRaises(UserError):
            self.confirm(order)
        other = self.order(partner, 10)
        with self.assertRaises(UserError):
            self.confirm((order | other).with_context(credit_review_offer=True))
        self.policy.controller_user_id = False
        with self.assertRaises(UserError):
            self.confirm(clicked)

    def test_the_quotation_list_shows_and_filters_the_credit_state(self):
        blocked_partner = self.graded_customer("State Blocked", "E", 0)
        self.invoice(blocked_partner, 300, invoice_days=-50, due_days=30)
        blocked = self.order(blocked_partner, 400)
        fine = self.order(self.graded_customer("State Fine", "A", 100000), 100)
        warned = self.order(self.graded_customer("State Warned", "C", 100), 500)
        held_partner = self.graded_customer("State Held", "A", 100000)
        held_partner.with_user(self.controller).write({"credit_hold": True, "credit_hold_reason": "Audit"})
        held = self.order(held_partner, 100)
        confirmed = self.order(self.graded_customer("State Confirmed", "A", 100000), 100)
        self.confirm(confirmed)
        orders = (blocked | fine | warned | held | confirmed).with_user(self.salesman)
        orders.invalidate_recordset()
        self.assertEqual(orders.mapped("credit_state"), ["blocked", "ok", "warn", "hold", False])
        search = self.env["sale.order"].with_user(self.salesman).search
        self.assertEqual(search([("credit_state", "in", ("blocked", "hold"))]) & orders, blocked | held)
        self.assertEqual(search([("credit_state", "=", "ok")]) & orders, fine)
        self.assertEqual(search([("credit_state", "!=", "blocked")]) & orders, orders - blocked)
        self.assertEqual(search([("credit_state", "=", False)]) & orders, confirmed, "no credit state")
        self.assertEqual(search([("credit_state", "!=", False)]) & orders, orders - confirmed)
        with self.assertRaises(UserError):
            search([("credit_state", "ilike", "block")])
