import io
import re
from datetime import datetime, time

import PyPDF2
from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import date_utils

from .common import CreditCommon

REPORT = "credit_management.action_report_credit_review"


@tagged("post_install", "-at_install")
class TestCreditReviewReport(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = cls.customer("Review Punctual Ltd")
        for start in (-300, -240, -180):
            cls.paid_invoice(cls.good, 1000, start, days_late=0)
        cls.open_invoice = cls.invoice(cls.good, 700, invoice_days=-75)  # 45 days past due
        cls.confirmed_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.good.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 3})],
            }
        )
        cls.confirmed_order.action_confirm()
        cls.late = cls.customer("Review Late Ltd")
        cls.invoice(cls.late, 900, invoice_days=-200)
        cls.engine._rescore(cls.company, (cls.good + cls.late).ids, "manual")
        cls.late.with_user(cls.controller)._credit_set_hold(True, "Disputed invoices")

    def render_html(self, partners):
        html, _ = self.env["ir.actions.report"]._render_qweb_html(REPORT, partners.ids)
        return html.decode()

    def test_a_controller_without_accounting_rights_prints_it(self):
        """As the controller reads the aging (the entries' numbers, not the entries)."""
        self.assertFalse(self.controller.has_group("account.group_account_invoice"))
        reports = self.env["ir.actions.report"].with_user(self.controller)
        html, _kind = reports._render_qweb_html(REPORT, self.late.ids)
        invoice = self.env["account.move"].search([("partner_id", "=", self.late.id)], limit=1)
        self.assertIn(invoice.name, html.decode())

    def test_pdf_has_one_section_per_customer(self):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, kind = report._render_qweb_pdf(REPORT, (self.good + self.late).ids)
        self.assertEqual(kind, "pdf")
        # the extracted text separates words with tabs and lines with newlines
        pages = [" ".join(page.extract_text().split()) for page in PyPDF2.PdfReader(io.BytesIO(pdf)).pages]
        self.assertGreaterEqual(len(pages), 2)
        first = [i for i, text in enumerate(pages) if self.good.name in text]
        second = [i for i, text in enumerate(pages) if self.late.name in text]
        self.assertTrue(first and second)
        self.assertLess(max(first), min(second), "each customer starts on a new page")
        good_text, late_text = pages[first[0]], pages[second[0]]
        for text, partner in ((good_text, self.good), (late_text, self.late)):
            with self.subTest(partner=partner.name):
                self.assertIn("Customer Credit Review", text)
                self.assertIn(partner.credit_grade_id.display_name, text)
        self.assertIn("Disputed invoices", late_text)

    def test_sections_content(self):
        html = self.render_html(self.good)
        self.assertIn(self.confirmed_order.name, html)
        self.assertIn(self.good.property_payment_term_id.name, html)
        for label, _value, _points, _weight in self.last_history(self.good)._breakdown():
            self.assertIn(label, html)
        aging = re.search(r"o_credit_review_aging.*?</table>", html, re.S).group(0)
        self.assertEqual(
            re.findall(r"[\d,]+\.\d\d", aging), ["0.00", "0.00", "700.00", "0.00", "0.00", "0.00", "700.00"]
        )
        items = re.search(r"o_credit_review_items.*?</table>", html, re.S).group(0)
        [invoice] = self.env["credit.aging.report"].search([("partner_id", "=", self.good.id)]).move_id
        self.assertIn(invoice.name, items, "the open invoice is listed")
        self.assertIn("700.00", items)

    def test_no_chart_without_two_scored_months(self):
        partner = self.customer("Review New Co")
        self.rescore(partner)
        html = self.render_html(partner)
        self.assertNotIn("o_credit_review_chart", html, "one month: a table, no empty chart frame")

    def test_recent_approvals_and_decisions(self):
        partner = self.graded_customer("Review Approvals Ltd", "D", 1000)
        order = self.order(partner, 1500)
        order.with_user(self.salesman).action_confirm()
        request = order.credit_approval_ids
        self.env["credit.approval.reject.wizard"].with_user(self.controller).create(
            {"request_ids": request.ids, "reason": "Guarantee expired"}
        ).action_reject()
        html = self.render_html(partner)
        approvals = re.search(r"o_credit_review_approvals.*?</table>", html, re.S).group(0)
        for text in (order.name, "Rejected", "Guarantee expired", self.salesman.name, self.controller.name):
            self.assertIn(text, approvals)
        self.assertIn("No credit approval requested", self.render_html(self.good))

    def test_score_by_month(self):
        """The monthly table shows the score standing at each of the last twelve month ends."""
        partner = self.customer("Review History Ltd")
        this_month = date_utils.start_of(self.today, "month")
        history = self.env["credit.score.history"]
        for months_ago, score in ((14, 35.0), (5, 62.5), (2, 81.0)):
            history.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "score": score,
                    "date": datetime.combine(
                        this_month - relativedelta(months=months_ago, days=-10), time(12)
                    ),
                    "grade_id": self.grades["B"].id,
                }
            )
        months = self.env["report.credit_management.report_credit_review"]._monthly_scores(
            partner, self.company
        )
        scores = [score for _label, score, _grade in months[partner.id]]
        self.assertEqual(scores, [35.0] * 6 + [62.5] * 3 + [81.0] * 3)
        self.assertIn("81.0", self.render_html(partner))

    def test_the_breakdown_shows_each_factor_s_weight_and_maximum(self):
        history = self.last_history(self.good)
        rows = history._breakdown()
        self.assertAlmostEqual(sum(weight for *_row, weight in rows), 100.0, places=6)
        self.assertAlmostEqual(
            sum(points for _label, _value, points, _weight in rows), history.score, places=1
        )
        for label, _value, points, weight in rows:
            with self.subTest(factor=label):
                self.assertLessEqual(points, weight + 1e-9, "a factor gives at most its weight")
        self.assertIn("of at most", self.render_html(self.good))
