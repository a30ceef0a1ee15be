import base64
import io

import openpyxl

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..report.credit_aging_report import AS_OF_CONTEXT_KEY, BUCKETS
from .common import CreditCommon

AMOUNTS = [f"amount_{key}" for key, _label in BUCKETS]


@tagged("post_install", "-at_install")
class TestCreditAgingReport(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report = cls.env["credit.aging.report"]

    def buckets(self, partners, as_of=None):
        """{bucket: open amount} of ``partners``, from the per-bucket amount columns, zeros left out."""
        report = self.report.with_context(**{AS_OF_CONTEXT_KEY: as_of}) if as_of else self.report
        [sums] = report._read_group([("partner_id", "in", partners.ids)], [], [f"{a}:sum" for a in AMOUNTS])
        return {key: amount for (key, _label), amount in zip(BUCKETS, sums, strict=True) if amount}

    def receivable_line(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def test_bucket_bounds(self):
        partner = self.customer("Aging Bounds Co")
        expected = {
            -10: "not_due",
            0: "not_due",
            1: "1_30",
            30: "1_30",
            31: "31_60",
            60: "31_60",
            61: "61_90",
            90: "61_90",
            91: "91_120",
            120: "91_120",
            121: "over_120",
            400: "over_120",
        }
        moves = {
            past_due: self.invoice(partner, 100 + i, invoice_days=-past_due - 30, due_days=30)
            for i, past_due in enumerate(expected)
        }
        rows = self.report.search([("partner_id", "=", partner.id)])
        self.assertEqual(len(rows), len(expected))
        for past_due, bucket in expected.items():
            move = moves[past_due]
            row = rows.filtered(lambda r, m=move: r.move_id == m)
            with self.subTest(days_past_due=past_due):
                self.assertRecordValues(
                    row,
                    [
                        {
                            "bucket": bucket,
                            "days_overdue": max(past_due, 0),
                            "date_maturity": self.days(-past_due),
                            "amount_residual": move.amount_total,
                            **{
                                amount: move.amount_total if amount == f"amount_{bucket}" else 0.0
                                for amount in AMOUNTS
                            },
                        }
                    ],
                )

    def test_row_attributes(self):
        partner = self.customer("Aging Attributes Co", user_id=self.salesman.id)
        contact = self.env["res.partner"].create({"name": "Accounts payable", "parent_id": partner.id})
        self.paid_invoice(partner, 300, -100, days_late=0)
        self.rescore(partner)
        move = self.invoice(contact, 250, invoice_days=-10)
        row = self.report.search([("move_id", "=", move.id)])
        self.assertRecordValues(
            row,
            [
                {
                    "partner_id": partner.id,  # the commercial partner, not the invoiced contact
                    "user_id": self.salesman.id,
                    "grade_id": partner.credit_grade_id.id,
                    "company_id": self.company.id,
                    "currency_id": self.currency.id,
                    "date": self.days(-10),
                }
            ],
        )
        self.assertTrue(partner.credit_grade_id)

    def test_buckets_add_up_to_partner_receivable(self):
        """The buckets of each customer sum to core res.partner.credit: same lines, same amounts."""
        first, second = self.customer("Aging Sum One"), self.customer("Aging Sum Two")
        invoice = self.invoice(first, 1000, invoice_days=-90)
        self.pay(invoice, -20, amount=300)
        self.invoice(first, 400, invoice_days=-200)
        self.invoice(first, 150, invoice_days=-5)
        self.refund(first, 80, invoice_days=-45)
        self.invoice(second, 700, invoice_days=-35, due_days=0)
        self.paid_invoice(second, 500, -150, days_late=10)
        self.env["account.payment"].create(
            {
                "partner_id": second.id,
                "partner_type": "customer",
                "payment_type": "inbound",
                "amount": 60,
                "date": self.days(-3),
            }
        ).action_post()  # on account: an open credit line of the customer

        for partner, credit in ((first, 1000 - 300 + 400 + 150 - 80), (second, 700 - 60)):
            with self.subTest(partner=partner.name):
                self.assertAlmostEqual(partner.credit, credit)
                self.assertAlmostEqual(sum(self.buckets(partner).values()), partner.credit)
                [(total,)] = self.report._read_group(
                    [("partner_id", "=", partner.id)], [], ["amount_residual:sum"]
                )
                self.assertAlmostEqual(total, partner.credit)

    def test_as_of_date_reproduces_past_aging(self):
        partner = self.customer("Aging As Of Co")
        as_of = self.days(-60)
        first = self.invoice(partner, 1000, invoice_days=-150)  # due -120: 60 days late at the as-of date
        self.pay(first, -100, amount=400)
        self.pay(first, -60, amount=100)  # matched on the as-of date itself: counts
        second = self.invoice(partner, 500, invoice_days=-80)  # due -50: not due yet at the as-of date
        refund = self.refund(partner, 200, invoice_days=-70)  # due -70: 10 days past due
        expected = {"31_60": 500.0, "not_due": 500.0, "1_30": -200.0}
        self.assertEqual(self.buckets(partner, as_of), expected)

        # Later events: the rest of the first invoice paid, the second paid, the credit note used on a
        # new invoice, another new invoice. None of them changes the aging as of that date.
        self.pay(first, -10)
        self.pay(second, -30)
        later = self.invoice(partner, 300, invoice_days=-40)
        (self.receivable_line(later) + self.receivable_line(refund)).reconcile()
        self.invoice(partner, 800, invoice_days=-5)

        self.assertEqual(self.buckets(partner, as_of), expected)
        self.assertEqual(self.buckets(partner), {"not_due": 800.0, "1_30": 100.0})
        self.assertEqual(self.buckets(partner, self.today), self.buckets(partner))

    def test_as_of_rows_age_at_that_date(self):
        partner = self.customer("Aging As Of Rows Co")
        move = self.invoice(partner, 640, invoice_days=-200, due_days=30)
        row = self.report.with_context(**{AS_OF_CONTEXT_KEY: self.days(-100)}).search(
            [("move_id", "=", move.id)]
        )
        self.assertRecordValues(row, [{"days_overdue": 70, "bucket": "61_90", "amount_61_90": 640.0}])
        self.assertFalse(
            self.report.with_context(**{AS_OF_CONTEXT_KEY: self.days(-201)}).search(
                [("move_id", "=", move.id)]
            )
        )

    def test_wizard_refuses_future_date(self):
        wizard = self.env["credit.aging.wizard"]
        with self.assertRaisesRegex(ValidationError, "As of.*future"):
            wizard.create({"date": self.days(1)})
        action = wizard.create({"date": self.days(-31)}).action_open_report()
        self.assertEqual(action["res_model"], "credit.aging.report")
        self.assertEqual(action["context"][AS_OF_CONTEXT_KEY], str(self.days(-31)))

    def test_ages_come_in_age_order(self):
        partner = self.customer("Aging Order Co")
        for past_due in (200, 5, -3, 45):
            self.invoice(partner, 100, invoice_days=-past_due - 30, due_days=30)
        domain = [("partner_id", "=", partner.id)]
        expected = ["not_due", "1_30", "31_60", "over_120"]
        self.assertEqual(
            [bucket for bucket, _n in self.report._read_group(domain, ["bucket"], ["__count"])], expected
        )
        groups = self.report.read_group(domain, ["amount_residual:sum"], ["grade_id", "bucket"], lazy=False)
        self.assertEqual([group["bucket"] for group in groups], expected, "the graph's legend")

    def test_a_line_opens_its_journal_entry(self):
        move = self.invoice(self.customer("Aging Entry Co"), 100)
        line = self.report.search([("move_id", "=", move.id)])
        action = line.action_open_move()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", move.id))

    def exported(self, report):
        action = report.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas))).active
        return list(sheet.iter_rows(values_only=True))

    def test_excel_export_follows_the_filters_and_the_selection(self):
        first, second = self.customer("Aging Filter One"), self.customer("Aging Filter Two")
        self.invoice(first, 100)
        self.invoice(second, 200)
        self.invoice(second, 300)
        filtered = self.report.with_context(active_domain=[("partner_id", "=", second.id)])
        rows = self.exported(filtered)
        self.assertEqual([row[0] for row in rows[3:] if row[0]], [second.display_name, "Total"])
        self.assertEqual(rows[-1][-1], 500.0)
        for garbage in ("not a domain", [("no_such_field", "=", 1)], [("partner_id", "=")]):
            with self.assertRaises(UserError, msg=garbage):
                self.report.with_context(active_domain=garbage).action_export_xlsx()
        selected = self.report.search([("partner_id", "in", (first | second).ids)], order="id", limit=2)
        rows = self.exported(selected)
        self.assertEqual(rows[-1][-1], 300.0, "the two lines selected: 100 and 200")
        # "select all" sends at most web.active_ids_limit ids: the filters then say which lines
        self.env["ir.config_parameter"].set_param("web.active_ids_limit", 2)
        rows = self.exported(selected.with_context(active_domain=[("partner_id", "=", second.id)]))
        self.assertEqual(rows[-1][-1], 500.0, "the filters' lines, not the first two")

    def test_excel_export_as_of_a_date(self):
        partner = self.customer("Aging Export Co")
        self.invoice(partner, 1000, invoice_days=-100, due_days=30)
        self.invoice(partner, 250, invoice_days=-10, due_days=30)
        as_of = self.days(-5)
        rows = self.exported(self.report.with_context(**{AS_OF_CONTEXT_KEY: as_of}))
        self.assertIn(f"Receivable Aging as of {as_of}", rows[0][0])
        header = rows[2]
        self.assertEqual(header[:4], ("Customer", "Journal Entry", "Due Date", "Days Overdue"))
        [customer_row] = [row for row in rows if row[0] == partner.display_name]
        position = rows.index(customer_row)
        total = header.index("Open Amount")
        self.assertEqual(customer_row[total], 1250.0)
        self.assertEqual(customer_row[header.index("61-90")], 1000.0, "65 days past due on the as-of date")
        self.assertEqual([row[3] for row in rows[position + 1 : position + 3]], [65, 0])
        self.assertEqual(rows[-1][0], "Total")
