import io
import re
from collections import Counter

import polib
import PyPDF2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import CreditCommon

LANG = "zh_CN"
POT = "credit_management/i18n/credit_management.pot"
PO = f"credit_management/i18n/{LANG}.po"
REPORT = "credit_management.action_report_credit_review"
NAMED = re.compile(r"%\([a-z_]+\)[sd]")
POSITIONAL = re.compile(r"%(?!\()[sd]|%%")
HAN = re.compile(r"[\u4e00-\u9fff]")
BLOCKED = "Confirm is blocked: %(reasons)s. Ask for a review: %(contact)s will look at it."
OVER_LIMIT = "exposure %(exposure)s exceeds the limit %(limit)s by %(shortfall)s"


@tagged("post_install", "-at_install")
class TestTranslations(CreditCommon):
    """The Simplified Chinese translation, as a salesperson working in zh_CN meets it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang(LANG)
        cls.env["ir.module.module"]._load_module_terms(["credit_management"], [LANG], overwrite=True)
        cls.salesman.lang = LANG
        cls.zh = {entry.msgid: entry.msgstr for entry in polib.pofile(file_path(PO))}

    def as_salesman(self, records):
        """``records`` as the salesperson sees them in the web client: their user, their language."""
        context = self.env["res.users"].with_user(self.salesman).context_get()
        return records.with_user(self.salesman).with_context(**context)

    def translation(self, msgid):
        text = self.zh.get(msgid)
        self.assertTrue(text and HAN.search(text), f"{PO} gives no Chinese for {msgid!r}")
        return text

    def test_blocked_confirmation_speaks_chinese(self):
        self.assertEqual(self.as_salesman(self.env["res.partner"]).env.lang, LANG)
        partner = self.graded_customer("Blocked Co", "E", 1000, user_id=self.salesman.id)
        self.invoice(partner, 900, invoice_days=-50, due_days=30)  # 20 days overdue
        order = self.order(partner, 400)
        with self.assertRaises(UserError) as caught:
            self.as_salesman(order).action_confirm()
        text = str(caught.exception)
        # the block sentence and its reason "exposure ... exceeds the limit ...", as the .po gives them
        self.assertTrue(self.translation(BLOCKED).startswith("无法确认"))
        self.assertTrue(self.translation(OVER_LIMIT).startswith("信用敞口"))
        self.assertIn("无法确认", text)
        self.assertIn("信用敞口", text)
        # the figures still come through the translated placeholders
        for figure in ("1,000.00", "1,300.00", "300.00", "20 天"):
            self.assertIn(figure, text)
        for english in (
            "Confirm is blocked",
            "exceeds the limit",
            "is overdue",
            "tolerance",
            "Limit",
            "exposure",
            "shortfall",
            "oldest overdue item",
            "days",
        ):
            self.assertNotIn(english, text)
        leftover = (
            text.replace(order.name, "").replace(self.controller.name, "").replace(self.currency.symbol, "")
        )
        self.assertEqual(re.findall(r"[A-Za-z]{2,}", leftover), [], f"English left in: {text}")
        self.assertEqual(order.state, "draft")

    def test_credit_review_report_title_in_chinese(self):
        partner = self.graded_customer("Review Co", "C", 5000, user_id=self.salesman.id)
        self.invoice(partner, 700, invoice_days=-75)  # 45 days past due
        report = self.as_salesman(self.env["ir.actions.report"])
        html, _kind = report._render_qweb_html(REPORT, partner.ids)
        html = html.decode()
        self.assertIn(partner.name, html)
        self.assertIn("700.00", html)  # the salesperson sees their customer's open invoice
        title = self.translation("Customer Credit Review")
        self.assertIn(f"<h2>{title}</h2>", html)
        self.assertNotIn("Customer Credit Review", html)
        for heading in ("Profile", "Receivable aging", "Recent approval requests and decisions"):
            self.assertIn(f"<h4>{self.translation(heading)}</h4>", html)
            self.assertNotIn(f"<h4>{heading}</h4>", html)

    def test_scorecard_labels_and_gate_refusals_in_chinese(self):
        fields_zh = (
            self.env["credit.scorecard"].with_context(lang=LANG).fields_get(["psi", "auc", "monotone"])
        )
        self.assertEqual(fields_zh["psi"]["string"], self.translation("Stability (PSI)"))
        self.assertEqual(fields_zh["monotone"]["string"], self.translation("Grades Monotone"))
        self.assertRegex(fields_zh["psi"]["string"], HAN)
        partner = self.graded_customer("Growth Zh Co", "E", 1000)
        order = self.order(partner, 600)
        self.as_salesman(order).action_confirm()
        with self.assertRaises(UserError) as caught:
            self.as_salesman(order.order_line).write({"price_unit": 5000})
        self.assertIn("此更改所需信用超过客户可用额度", str(caught.exception))

    def test_bureau_labels_in_chinese(self):
        signal = self.env["credit.bureau.signal"].with_context(lang=LANG)
        kinds = dict(signal._fields["kind"]._description_selection(signal.env))
        self.assertEqual(kinds["dishonest_debtor"], "失信被执行人")
        self.assertEqual(kinds["tax_violation"], "税收违法")
        provider = self.env["credit.bureau.provider"].with_context(lang=LANG).fields_get(["monthly_budget"])
        self.assertEqual(provider["monthly_budget"]["string"], self.translation("Monthly Budget"))
        self.assertRegex(provider["monthly_budget"]["string"], HAN)

    def test_credit_review_pdf_has_chinese_glyphs(self):
        """wkhtmltopdf needs a CJK font (the setup installs one) or the Chinese text comes out blank."""
        partner = self.graded_customer("Review PDF Co", "C", 5000, user_id=self.salesman.id)
        report = self.as_salesman(self.env["ir.actions.report"]).with_context(force_report_rendering=True)
        pdf, _kind = report._render_qweb_pdf(REPORT, partner.ids)
        text = "".join(page.extract_text() for page in PyPDF2.PdfReader(io.BytesIO(pdf)).pages)
        self.assertIn(self.translation("Customer Credit Review"), "".join(text.split()))

    def test_po_translates_every_msgid_of_the_pot(self):
        pot = polib.pofile(file_path(POT))
        po = polib.pofile(file_path(PO))
        self.assertEqual(po.metadata.get("Language"), LANG)
        self.assertEqual(po.metadata.get("Plural-Forms"), "nplurals=1; plural=0;")
        entries = {entry.msgid: entry for entry in po if not entry.obsolete}
        missing = [e.msgid for e in pot if e.msgid not in entries]
        self.assertEqual(missing, [], f"msgids of the .pot missing from {PO}")
        untranslated = [e.msgid for e in pot if not entries[e.msgid].msgstr]
        self.assertEqual(untranslated, [], f"untranslated in {PO}")
        self.assertEqual([e.msgid for e in po.fuzzy_entries()], [], f"fuzzy in {PO}")
        for entry in pot:
            msgstr = entries[entry.msgid].msgstr
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(Counter(NAMED.findall(msgstr)), Counter(NAMED.findall(entry.msgid)))
                self.assertEqual(POSITIONAL.findall(msgstr), POSITIONAL.findall(entry.msgid))

    def test_default_grades_and_collection_levels_are_named_in_chinese(self):
        """Created by code in English, they read in Chinese once the language is there; and a company
        created after it gets them translated at once."""
        grade = self.as_salesman(self.grades["E"])
        self.assertEqual(grade.name, self.translation("Poor"))
        self.assertEqual(grade.with_context(lang="en_US").name, "Poor")
        level = self.as_salesman(self.grades["E"].collection_plan_id.level_ids.sorted("days")[-1])
        self.assertEqual(level.name, self.translation("Final notice"))
        self.assertEqual(level.plan_id.name, self.translation("Firm reminders"))
        # a name a user gave in Chinese stays when the terms are loaded again, unless they overwrite
        renamed = self.grades["E"].with_context(lang=LANG)
        renamed.name = "很差"
        self.env["ir.module.module"]._load_module_terms(["credit_management"], [LANG])
        renamed.invalidate_recordset(["name"])
        self.assertEqual(renamed.name, "很差")
        self.env["ir.module.module"]._load_module_terms(["credit_management"], [LANG], overwrite=True)
        renamed.invalidate_recordset(["name"])
        self.assertEqual(renamed.name, self.translation("Poor"))
        company = self.env["res.company"].create({"name": "Translated Grades Co"})
        grades = self.env["credit.grade"].with_context(lang=LANG).search([("company_id", "=", company.id)])
        self.assertEqual(
            set(grades.mapped("name")),
            {self.translation(n) for n in ("Excellent", "Good", "Fair", "Weak", "Poor")},
        )

    def test_what_the_policy_writes_reads_in_chinese(self):
        """Hold reasons and history notes are written by the crons in English and read in the reader's
        language: the Credit tab, the history, the dashboard, the block and the statement."""
        self.controller.lang = LANG
        partner = self.graded_customer("Held By Collections", "E", 100000, email="held@example.com")
        self.invoice(partner, 500, invoice_days=-60, due_days=30)  # 30 days overdue: the last level
        self.env["credit.collection.run"]._run(self.company, today=self.days(0), auto_commit=False)
        self.assertEqual(partner.credit_hold_reason, "Collections: Final notice", "stored in English")
        final_notice = self.translation("Final notice")
        held = self.translation("Collections: %s") % final_notice
        self.assertEqual(self.as_salesman(partner).credit_hold_reason_text, held)
        self.assertEqual(
            partner.with_context(lang="en_US").credit_hold_reason_text, "Collections: Final notice"
        )
        self.assertEqual(
            self.as_salesman(partner)._credit_reason_in_language("Open item overdue 45 days"),
            self.translation("Open item overdue %s days") % 45,
        )
        self.assertEqual(
            self.as_salesman(partner)._credit_reason_in_language("Wait for audit"), "Wait for audit"
        )
        # the grade, the block and the dashboard
        self.assertEqual(self.as_salesman(partner).credit_grade_id.name, self.translation("Poor"))
        order = self.order(partner, 100)
        with self.assertRaises(UserError) as caught:
            self.as_salesman(order).action_confirm()
        self.assertIn(held, str(caught.exception))
        context = self.env["res.users"].with_user(self.controller).context_get()
        dashboard = self.env["credit.dashboard"].with_user(self.controller).with_context(**context).get_data()
        self.assertIn(held, [row["reason"] for row in dashboard["holds"]])
        self.assertEqual(dashboard["kpis"][0]["label"], self.translation("Total Exposure"))
        # the history: every installed language stored, each reader gets theirs
        self.rescore(partner)
        history = self.env["credit.score.history"].search([("partner_id", "=", partner.id)], limit=1)
        self.assertIn("First scoring.", history.with_context(lang="en_US").note)
        self.assertIn(self.translation("First scoring."), self.as_salesman(history).note)
        self.assertIsNone(HAN.search(history.with_context(lang="en_US").note))
        # the statement, in the customer's language
        partner.lang = LANG
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.action_report_customer_statement", partner.ids
        )
        self.assertIn(self.translation("Statement of Account"), html.decode())
        self.assertIn(self.translation("Over 120 Days"), html.decode(), "the ages too")
