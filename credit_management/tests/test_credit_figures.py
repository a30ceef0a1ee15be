"""One truth for every figure: on a crafted book, every screen, report and message that shows a
customer's exposure, overdue amount or days overdue shows the same number, as credit.exposure defines it."""

from odoo.tests import tagged

from .common import CreditCommon

REVIEW = "credit_management.action_report_credit_review"


@tagged("post_install", "-at_install")
class TestCreditFigures(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Beacon: 1,000 overdue by 39 days, 500 not due, an old credit note of 300 never applied,
        # a draft invoice of 200 and a confirmed order of 400 not yet invoiced.
        cls.beacon = cls.customer("Beacon National Retail")
        cls.invoice(cls.beacon, 1000, invoice_days=-69, due_days=30)
        cls.invoice(cls.beacon, 500, invoice_days=-5, due_days=30)
        cls.refund(cls.beacon, 300, invoice_days=-464)
        cls.invoice(cls.beacon, 200, invoice_days=-1, post=False)
        cls.order(cls.beacon, 400).action_confirm()
        cls.other = cls.customer("Other Debtor")
        cls.invoice(cls.other, 700, invoice_days=-40, due_days=30)
        cls.engine._rescore(cls.company, (cls.beacon | cls.other).ids, "manual")

    def test_the_definitions(self):
        figures = self.env["credit.exposure"]._exposure(self.company, [self.beacon.id])
        self.assertEqual(figures["receivable"][0], 1200.0, "1,000 + 500 - 300")
        self.assertEqual(figures["credits"][0], -300.0)
        self.assertEqual(figures["exposure"][0], 1800.0, "+ the draft invoice and the order")
        self.assertEqual(figures["overdue"][0], 1000.0, "gross: the credit note is never overdue")
        self.assertEqual(figures["overdue_net"][0], 700.0)
        self.assertEqual(figures["max_days_overdue"][0], 39, "the oldest overdue invoice, not the credit")

    def test_the_customer_form(self):
        partner = self.beacon.with_user(self.controller)
        self.assertRecordValues(
            partner,
            [
                {
                    "credit_exposure": 1800.0,
                    "credit_overdue_amount": 1000.0,
                    "credit_unapplied_amount": 300.0,
                    "credit_overdue_net": 700.0,
                    "credit_max_days_overdue": 39,
                }
            ],
        )

    def test_the_aging(self):
        aging = self.env["credit.aging.report"].with_user(self.controller)
        domain = [("partner_id", "=", self.beacon.id)]
        [(residual, days)] = aging._read_group(domain, [], ["amount_residual:sum", "days_overdue:max"])
        self.assertEqual((residual, days), (1200.0, 39), "the customer row: net open amount, 39 days")
        [(overdue,)] = aging._read_group([*domain, ("days_overdue", ">", 0)], [], ["amount_residual:sum"])
        self.assertEqual(overdue, 1000.0)
        credit = aging.search([*domain, ("amount_residual", "<", 0)])
        self.assertEqual(
            (credit.days_overdue, credit.bucket), (0, "over_120"), "aged by its date, not overdue"
        )

    def test_the_dashboard(self):
        data = self.env["credit.dashboard"].with_user(self.controller).get_data()
        customers = self.env["res.partner"].search([("customer_rank", ">", 0), ("parent_id", "=", False)])
        kpis = {kpi["key"]: kpi for kpi in data["kpis"]}
        # the tiles add up what the customers' forms show, one by one
        self.assertAlmostEqual(kpis["overdue"]["detail"], sum(customers.mapped("credit_overdue_amount")))
        self.assertAlmostEqual(kpis["exposure"]["value"], sum(customers.mapped("credit_exposure")))
        grade = self.beacon.credit_grade_id
        members = customers.filtered(lambda partner: partner.credit_grade_id == grade)
        in_grade = self.env["credit.exposure"]._exposure(self.company, members.ids)
        [row] = [row for row in data["grades"] if row["id"] == grade.id]
        self.assertEqual(
            (row["exposure"], row["overdue"]), (in_grade["exposure"].sum(), in_grade["overdue"].sum())
        )
        [beacon] = [row for row in data["overdue"] if row["id"] == self.beacon.id]
        self.assertEqual((beacon["overdue"], beacon["days"]), (1000.0, 39))

    def test_the_grade_distribution_at_the_last_scoring(self):
        row = self.env["credit.grade.distribution.report"].search(
            [("partner_id", "=", self.beacon.id)], order="date desc", limit=1
        )
        self.assertEqual((row.exposure, row.grade_id), (1800.0, self.beacon.credit_grade_id))

    def test_the_review_pdf(self):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(REVIEW, self.beacon.ids)
        text = " ".join(html.decode().split())
        for figure in ("1,800.00", "1,000.00", "700.00", "300.00"):
            self.assertIn(figure, text)
        self.assertRegex(text, r"Max Days Overdue</t[hd]>\s*<td[^>]*>\s*39\s*<")

    def test_the_worklist(self):
        self.env["credit.collection.status"]._refresh(self.company)
        row = self.env["credit.collection.worklist"].search([("partner_id", "=", self.beacon.id)])
        self.assertEqual((row.overdue_amount, row.days_overdue), (1000.0, 39))


@tagged("post_install", "-at_install")
class TestDownPayments(CreditCommon):
    """A down payment moves part of a confirmed order into the ledger: the exposure counts it once."""

    def down_payment(self, order, percent):
        order = order.with_env(self.env)  # an accountant invoices it
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": percent})
        )
        wizard.create_invoices()
        return order.invoice_ids.filtered(lambda move: move.state == "draft")

    def exposure(self, partner):
        partner.invalidate_recordset()
        return partner.credit_exposure

    def test_a_down_payment_is_counted_once(self):
        partner = self.graded_customer("Down Payer", "A", 100000)
        order = self.order(partner, 10000).with_env(self.env)
        order.action_confirm()
        self.assertEqual(self.exposure(partner), 10000)
        invoice = self.down_payment(order, 30)
        self.assertEqual(invoice.amount_total, 3000)
        self.assertEqual(self.exposure(partner), 10000, "a draft down payment: the order less it, plus it")
        invoice.action_post()
        self.assertEqual(self.exposure(partner), 10000, "posted: in the receivable, out of the order")
        self.pay(invoice, 0)
        self.assertEqual(self.exposure(partner), 7000, "paid: what the customer still owes")
        # the gate reads the order the same way: a growth is measured on what is left to invoice
        checks = self.env["credit.check"]._check_orders(order, together=False)
        self.assertEqual(checks[order.id].order_amount, 7000)
        final = order._create_invoices(final=True)
        self.assertEqual(final.amount_total, 7000, "the final invoice deducts the down payment")
        final.action_post()
        self.assertEqual(self.exposure(partner), 7000, "invoiced in full: all in the receivable")

    def test_a_refunded_down_payment_is_owed_by_the_order_again(self):
        partner = self.graded_customer("Refunded Down Payer", "A", 100000)
        order = self.order(partner, 10000).with_env(self.env)
        order.action_confirm()
        invoice = self.down_payment(order, 50)
        invoice.action_post()
        refund = invoice._reverse_moves(cancel=True)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(self.exposure(partner), 10000)
