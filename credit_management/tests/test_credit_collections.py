"""Collections: the daily run's levels, emails, activities, promises and holds on real invoices."""

import io

import PyPDF2

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules import module
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditCollections(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collection_run = cls.env["credit.collection.run"]
        cls.gentle = cls.grades["B"].collection_plan_id
        cls.firm = cls.grades["E"].collection_plan_id
        cls.manager = new_test_user(
            cls.env,
            login="credit_manager_collections",
            name="Mona Manager",
            groups="base.group_user,credit_management.group_credit_manager",
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def debtor(self, name, grade="B", email=True, **vals):
        partner = self.customer(
            name, email=f"{name.lower().replace(' ', '.')}@example.com" if email else False, **vals
        )
        partner.write({"credit_grade_id": self.grades[grade].id})
        return partner

    def overdue(self, partner, amount, days_overdue):
        """An invoice ``days_overdue`` past its due date (negative: due in that many days)."""
        return self.invoice(partner, amount, invoice_days=-30 - days_overdue, due_days=30)

    def collect(self, days=0):
        return self.collection_run._run(self.company, today=self.days(days), auto_commit=False)

    def prepare(self, mails):
        """What the mail queue does as the reminders leave: their text and their statement."""
        events = self.env["credit.collection.event"].with_context(force_report_rendering=True)
        events._prepare_reminders(mails)

    def send(self, mails):
        """Send through the mail queue's path in Odoo's test mode (as Odoo's own test runner sets it): the
        message is built and handed to the mail server, which does not send it."""
        previous, module.current_test = module.current_test, self
        try:
            mails.send()
        finally:
            module.current_test = previous

    def events(self, partner, **domain):
        terms = [("partner_id", "=", partner.id)] + [(k, "=", v) for k, v in domain.items()]
        return self.env["credit.collection.event"].search(terms, order="id")

    # ------------------------------------------------------------------
    # Plans
    # ------------------------------------------------------------------
    def test_default_plans(self):
        self.assertEqual(self.gentle._levels().mapped("days"), [-3, 7, 21])
        self.assertEqual(self.firm._levels().mapped("days"), [-5, 1, 10, 30])
        self.assertEqual(self.firm._levels().mapped("place_hold"), [False, False, False, True])
        self.assertEqual(self.grades["A"].collection_plan_id, self.gentle)

    def test_levels_out_of_order_or_duplicate(self):
        with self.assertRaisesRegex(ValidationError, "Days"):
            self.gentle.level_ids[-1].days = 7
        with self.assertRaisesRegex(ValidationError, "Days"):
            self.env["credit.collection.plan"].create(
                {
                    "name": "Wrong",
                    "level_ids": [
                        Command.create({"name": "One", "days": 10, "sequence": 1}),
                        Command.create({"name": "Two", "days": 5, "sequence": 2}),
                    ],
                }
            )

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def test_boundaries(self):
        early = self.debtor("Early Bird")
        self.overdue(early, 100, -4)
        courtesy = self.debtor("Courtesy Co")
        self.overdue(courtesy, 100, -3)
        six = self.debtor("Six Days")
        self.overdue(six, 100, 6)
        seven = self.debtor("Seven Days")
        self.overdue(seven, 100, 7)
        self.collect()
        self.assertFalse(self.events(early))
        self.assertEqual(self.events(courtesy).level_id.name, "Courtesy note")
        self.assertEqual(
            self.events(six).level_id.name, "Courtesy note", "the level reached, the highest only"
        )
        self.assertEqual(self.events(seven).level_id.name, "First reminder")

    def test_one_email_per_customer_not_per_invoice_and_never_twice(self):
        partner = self.debtor("Many Invoices")
        invoices = (
            self.overdue(partner, 100, 8) | self.overdue(partner, 250, 9) | self.overdue(partner, 50, -10)
        )
        summary = self.collect()
        self.assertEqual(summary["email"], 1)
        (event,) = self.events(partner)
        self.assertEqual(event.channel, "email")
        self.assertEqual(event.line_ids.move_id, invoices[:2], "the overdue items, not the one due later")
        self.assertEqual(event.amount, 350.0)
        self.assertEqual(event.recipient_id, partner)
        self.assertEqual(event.mail_id.state, "outgoing", "queued, not sent in the run")
        self.assertEqual(event.mail_id.recipient_ids, partner)
        self.prepare(event.mail_id)
        self.assertIn(invoices[0].name, event.mail_id.body_html)
        self.assertIn("payment reminder", event.mail_id.subject)
        self.assertEqual(self.collect()["email"], 0, "nothing new the next run")
        self.assertEqual(self.collect(days=5)["email"], 0, "still the same level")
        self.assertEqual(self.collect(days=13)["email"], 1, "the next level, 21 days overdue")
        self.assertEqual(self.events(partner, channel="activity").level_id.name, "Second reminder")

    def test_the_mail_queue_writes_and_sends_the_reminder(self):
        partner = self.debtor("Queued Reader")
        invoice = self.overdue(partner, 640, 9)
        self.collect()
        mail = self.events(partner).mail_id
        self.assertFalse(mail.body_html, "written as it leaves")
        self.pay(invoice, 0, amount=40)
        self.send(mail)
        self.assertEqual(mail.state, "sent", mail.failure_reason)
        self.assertIn("600.00", mail.body_html, "the amounts of the day it leaves")
        self.assertEqual(len(mail.attachment_ids.filtered(lambda a: a.name.startswith("Statement"))), 1)

    def test_the_invoicing_contact_gets_the_email(self):
        partner = self.debtor("Invoicing Contact Co")
        billing = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "ap@example.com",
            }
        )
        self.overdue(partner, 100, 8)
        self.collect()
        self.assertEqual(self.events(partner).recipient_id, billing)

    def test_a_customer_who_pays_drops_back(self):
        partner = self.debtor("Payer")
        invoice = self.overdue(partner, 100, 8)
        self.collect()
        self.assertEqual(self.worklist(partner).overdue_amount, 100.0)
        self.pay(invoice, 0)
        self.env["credit.scoring.engine"]._rescore_queue()
        self.assertFalse(self.worklist(partner), "off the worklist once the payment's queue has run")
        self.assertEqual(self.collect(days=20)["email"], 0)
        self.assertFalse(partner.credit_collection_level_id)

    def test_a_customer_without_email_gets_a_call(self):
        partner = self.debtor("No Email", email=False)
        self.overdue(partner, 100, 8)
        summary = self.collect()
        self.assertEqual((summary["email"], summary["activity"]), (0, 1))
        (event,) = self.events(partner)
        self.assertEqual(event.channel, "activity")
        self.assertIn("No email address", event.note)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertEqual(activity.user_id, self.controller, "the policy's controller by default")

    def test_the_customer_collector_gets_the_call(self):
        partner = self.debtor("Own Collector")
        collector = new_test_user(
            self.env,
            login="collector_two",
            groups="base.group_user,credit_management.group_credit_controller",
        )
        partner.credit_collector_id = collector
        self.overdue(partner, 100, 22)
        self.collect()
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertEqual(activity.user_id, collector)

    def test_reminders_turned_off(self):
        partner = self.debtor("Quiet")
        self.overdue(partner, 100, 30)
        self.policy.collection_reminders = False
        self.assertEqual(self.collect()["email"], 0)
        self.assertFalse(self.events(partner))

    # ------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------
    def test_the_last_level_holds_and_payment_lifts(self):
        partner = self.debtor("Hold Me", grade="E")
        invoice = self.overdue(partner, 500, 30)
        summary = self.collect()
        self.assertEqual(summary["hold"], 1)
        self.assertTrue(partner.credit_hold)
        self.assertTrue(partner.credit_hold_collections)
        self.assertIn("Final notice", partner.credit_hold_reason)
        self.assertTrue(partner.credit_hold_date)
        self.assertFalse(partner.credit_hold_user_id)
        self.assertIn("Credit hold placed: Collections: Final notice.", partner.message_ids[0].body)
        self.assertEqual(
            set(self.events(partner).mapped("channel")), {"email", "activity", "letter"}, "every channel"
        )
        self.assertEqual(partner.credit_collection_level_id.name, "Final notice")
        letter = self.events(partner, channel="letter")
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("credit_management.action_report_reminder_letter", letter.ids)
        )
        text = " ".join(" ".join(p.extract_text() for p in PyPDF2.PdfReader(io.BytesIO(pdf)).pages).split())
        for words in ("Final notice", invoice.name, "500.00", "on credit hold"):
            self.assertIn(words, text)
        self.rescore(partner)
        self.assertTrue(partner.credit_hold, "the rescoring leaves a collections hold alone")
        self.pay(invoice, 0)
        self.assertEqual(self.collect()["lifted"], 1)
        self.assertFalse(partner.credit_hold)
        self.assertFalse(partner.credit_hold_collections)
        self.assertIn("Credit hold lifted", partner.message_ids[0].body)

    def test_a_hold_lifted_by_hand_is_no_longer_collections(self):
        partner = self.debtor("Released By Hand", grade="E")
        invoice = self.overdue(partner, 500, 30)
        self.collect()
        self.assertTrue(partner.credit_hold_collections)
        partner.with_user(self.controller).write({"credit_hold": False})
        self.assertFalse(partner.credit_hold_collections, "the controller's decision, whatever the path")
        partner.with_user(self.controller).write(
            {"credit_hold": True, "credit_hold_reason": "Wait for the audit"}
        )
        self.pay(invoice, 0)
        self.assertEqual(self.collect(days=1)["lifted"], 0, "a hold placed by hand stays")
        self.assertTrue(partner.credit_hold)

    def test_a_manual_hold_is_never_lifted_by_collections(self):
        partner = self.debtor("Manual Hold", grade="E")
        invoice = self.overdue(partner, 500, 30)
        partner.with_user(self.controller)._credit_set_hold(True, "Disputed deliveries")
        self.collect()
        self.assertFalse(partner.credit_hold_collections)
        self.pay(invoice, 0)
        self.collect()
        self.assertTrue(partner.credit_hold)
        self.assertEqual(partner.credit_hold_reason, "Disputed deliveries")

    # ------------------------------------------------------------------
    # Promises
    # ------------------------------------------------------------------
    def promise(self, partner, amount, days, invoices):
        lines = invoices.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return (
            self.env["credit.payment.promise"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": partner.id,
                    "amount": amount,
                    "date": self.days(days),
                    "line_ids": [Command.set(lines.ids)],
                }
            )
        )

    def test_an_open_promise_pauses_and_a_kept_one_closes(self):
        partner = self.debtor("Promiser")
        invoice = self.overdue(partner, 300, 8)
        self.collect()
        promise = self.promise(partner, 300, 10, invoice)
        self.assertEqual(self.events(partner, channel="promise").amount, 300.0)
        self.assertEqual(self.collect(days=13)["email"], 0, "paused on the last day of the grace")
        self.pay(invoice, 9)
        self.collect(days=11)
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 300.0))

    def test_a_broken_promise_escalates_at_once_and_alerts(self):
        partner = self.debtor("Breaker")
        invoice = self.overdue(partner, 300, 8)
        self.collect()
        promise = self.promise(partner, 300, 2, invoice)
        self.assertEqual(self.collect(days=4)["email"], 0, "within the grace")
        summary = self.collect(days=6)
        self.assertEqual((promise.state, summary["promises"]), ("broken", 1))
        escalated = self.events(partner, channel="email")[-1]
        self.assertEqual((escalated.level_id.name, escalated.escalated), ("Second reminder", True))
        self.assertTrue(promise.escalated)
        alert = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("summary", "ilike", "broken")]
        )
        self.assertEqual(alert.user_id, self.controller)
        self.assertEqual(self.collect(days=7)["email"], 0, "escalated once")
        with freeze_time(self.days(7)):
            self.rescore(partner)
        self.assertEqual(self.last_history(partner).broken_promises, 1.0, "a factor the scorecard can learn")

    def test_a_partly_kept_promise(self):
        partner = self.debtor("Half Payer")
        invoice = self.overdue(partner, 300, 8)
        promise = self.promise(partner, 300, 2, invoice)
        self.pay(invoice, 1, amount=100)
        self.collect(days=6)
        self.assertEqual((promise.state, promise.amount_paid), ("partial", 100.0))

    def test_bad_promises(self):
        partner = self.debtor("Bad Promise")
        invoice = self.overdue(partner, 300, 8)
        with self.assertRaisesRegex(ValidationError, "Amount"):
            self.promise(partner, 0, 5, invoice)
        with self.assertRaisesRegex(ValidationError, "Promised Date"):
            self.promise(partner, 100, -1, invoice)
        other = self.debtor("Somebody Else")
        with self.assertRaisesRegex(ValidationError, "Items"):
            self.promise(other, 100, 5, invoice)
        promise = self.promise(partner, 100, 5, invoice)
        with self.assertRaises(AccessError):
            promise.with_user(self.controller).write({"state": "kept"})
        with self.assertRaises(UserError):
            self.env["credit.payment.promise"].with_user(self.controller).create(
                {"partner_id": partner.id, "amount": 5, "date": self.days(3), "state": "kept"}
            )

    # ------------------------------------------------------------------
    # Rights and companies
    # ------------------------------------------------------------------
    def test_rights(self):
        partner = self.debtor("Rights Co", user_id=self.salesman.id)
        invoice = self.overdue(partner, 100, 8)
        self.collect()
        events = (
            self.env["credit.collection.event"]
            .with_user(self.salesman)
            .search([("partner_id", "=", partner.id)])
        )
        self.assertEqual(len(events), 1, "a salesperson reads the collections of their customers")
        with self.assertRaises(AccessError):
            self.env["credit.collection.event"].with_user(self.salesman).create(
                {"partner_id": partner.id, "channel": "call"}
            )
        with self.assertRaises(AccessError):
            self.promise(partner, 100, 5, invoice).with_user(self.salesman).write({"note": "x"})
        with self.assertRaises(AccessError):
            self.gentle.with_user(self.controller).write({"name": "Mine"})
        self.gentle.with_user(self.manager).write({"name": "Gentle"})
        call = (
            self.env["credit.collection.event"]
            .with_user(self.controller)
            .create({"partner_id": partner.id, "channel": "call", "note": "Promised to check with AP"})
        )
        self.assertEqual(call.user_id, self.controller)
        with self.assertRaises(UserError):
            self.env["credit.collection.event"].with_user(self.controller).create(
                {"partner_id": partner.id, "channel": "email"}
            )
        with self.assertRaises(AccessError):
            call.with_user(self.controller).write({"note": "changed"})

    def test_companies_do_not_mix(self):
        other = self.env["res.company"].create({"name": "Collections Other Co"})
        partner = self.debtor("Two Companies")
        self.overdue(partner, 100, 8)
        self.collection_run._run(other, today=self.today, auto_commit=False)
        self.assertFalse(self.events(partner), "company B's run leaves company A's customers alone")
        self.collect()
        event = self.events(partner)
        self.assertEqual(event.company_id, self.company)
        user = new_test_user(
            self.env,
            login="collector_other",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.env["credit.collection.event"].with_user(user).search([("id", "=", event.id)]))

    # ------------------------------------------------------------------
    # The collector's screens
    # ------------------------------------------------------------------
    def worklist(self, *partners):
        self.env["credit.collection.worklist"].invalidate_model()
        return self.env["credit.collection.worklist"].search([("partner_id", "in", [p.id for p in partners])])

    def test_the_worklist_ranks_by_expected_loss(self):
        big_safe = self.debtor("Big Safe")
        self.overdue(big_safe, 10000, 10)
        small_risky = self.debtor("Small Risky")
        self.overdue(small_risky, 3000, 40)
        self.assertFalse(self.worklist(big_safe, small_risky), "on the list once the queue has run")
        self.env["credit.scoring.engine"]._rescore_queue()
        self.env.cr.execute(
            "UPDATE res_partner SET credit_score = jsonb_build_object(%s, s.score) "
            "FROM (VALUES (%s, 95.0), (%s, 10.0)) AS s(id, score) WHERE res_partner.id = s.id",
            (str(self.company.id), big_safe.id, small_risky.id),
        )
        self.env["res.partner"].invalidate_model(["credit_score"])
        rows = self.worklist(big_safe, small_risky)
        self.assertEqual(rows.partner_id, small_risky | big_safe, "3,000 at 90 % risk before 10,000 at 5 %")
        self.assertEqual(rows.mapped("expected_loss"), [2700.0, 500.0])
        self.assertEqual(rows[0].days_overdue, 40)
        self.assertEqual(rows.mapped("collector_id"), self.controller | self.controller)
        self.assertTrue(all(rows.mapped("to_contact")))

    def test_a_call_takes_the_customer_off_today_s_list(self):
        partner = self.debtor("Called")
        invoice = self.overdue(partner, 800, 12)
        self.collect()
        (row,) = self.worklist(partner)
        self.assertEqual((row.level_id.name, row.to_contact), ("First reminder", True))
        action = row.action_open_customer()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", partner.id))
        dialog = partner.with_user(self.controller).action_credit_log_call()
        self.env[dialog["res_model"]].with_user(self.controller).with_context(**dialog["context"]).create(
            {"note": "Will pay Friday"}
        )
        self.assertFalse(self.worklist(partner).to_contact)
        dialog = partner.with_user(self.controller).action_credit_record_promise()
        self.assertEqual(dialog["context"]["default_amount"], 800.0)
        promise = (
            self.env[dialog["res_model"]]
            .with_user(self.controller)
            .with_context(**dialog["context"])
            .create({})
        )
        self.assertEqual(promise.line_ids.move_id, invoice)
        self.assertEqual(self.worklist(partner).promise_date, promise.date)
        partner.invalidate_recordset(["credit_collection_event_ids"])
        self.assertEqual(
            set(partner.credit_collection_event_ids.mapped("channel")), {"email", "call", "promise"}
        )

    def test_the_statement_is_sent_and_read(self):
        partner = self.debtor("Statement Reader")
        first = self.overdue(partner, 1234.5, 45)
        self.overdue(partner, 99, -10)
        self.collect()
        event = self.events(partner, channel="email")
        self.prepare(event.mail_id)
        self.prepare(event.mail_id)
        (statement,) = event.mail_id.attachment_ids.filtered(lambda a: a.name.startswith("Statement"))
        pages = PyPDF2.PdfReader(io.BytesIO(statement.raw)).pages
        text = " ".join(" ".join(page.extract_text() for page in pages).split())
        for words in ("Statement of Account", first.name, "1,234.50", "1,333.50", "45", "31-60 Days"):
            self.assertIn(words, text)
        with self.assertRaises(AccessError):
            partner.with_user(self.salesman).action_credit_send_statement()
        partner.with_user(self.controller).action_credit_send_statement()
        sent = self.events(partner, channel="statement")
        self.assertEqual(sent.user_id, self.controller)

    def test_the_quotation_says_the_customer_is_in_collections(self):
        partner = self.debtor("Quoted", grade="E")
        invoice = self.overdue(partner, 100, 12)
        order = self.order(partner, 100)
        self.assertFalse(order.credit_collection_level_id)
        self.collect()
        order.invalidate_recordset(["credit_collection_level_id"])
        self.assertEqual(order.with_user(self.salesman).credit_collection_level_id.name, "Firm reminder")
        self.pay(invoice, 0)
        order.invalidate_recordset(["credit_collection_level_id"])
        self.assertFalse(order.credit_collection_level_id, "out of collections once paid")

    def test_reminders_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["credit_management"], ["zh_CN"], overwrite=True)
        partner = self.debtor("Chinese Customer", lang="zh_CN")
        self.overdue(partner, 100, 8)
        self.collect()
        mail = self.events(partner).mail_id
        self.prepare(mail)
        self.assertIn("以下发票已逾期", mail.body_html)
        self.assertIn("付款提醒", mail.subject)
