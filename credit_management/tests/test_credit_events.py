from datetime import timedelta
from unittest.mock import patch

import numpy as np

from odoo import fields
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditEvents(CreditCommon):
    """Events queue the commercial partner; the queue job rescores it."""

    def queued(self, partner):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT reason FROM credit_rescore_queue WHERE partner_id = %s AND company_id = %s ORDER BY id",
            (partner.id, self.company.id),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def clear_queue(self):
        self.env.cr.execute("DELETE FROM credit_rescore_queue")

    def test_posting_and_payment_queue_the_commercial_partner(self):
        partner = self.customer("Eventful")
        contact = self.env["res.partner"].create({"name": "Accounts payable", "parent_id": partner.id})
        self.clear_queue()
        move = self.invoice(contact, 700, invoice_days=-10)
        self.assertEqual(self.queued(partner), ["invoice"])
        self.assertEqual(self.queued(contact), [])
        self.pay(move, -1)
        self.assertIn("payment", self.queued(partner))
        self.clear_queue()
        move.line_ids.remove_move_reconcile()
        self.assertIn("payment", self.queued(partner), "unreconciling is an event too")
        self.clear_queue()
        self.refund(partner, 100)
        self.assertEqual(self.queued(partner), ["refund"])
        self.clear_queue()
        move.button_draft()
        self.assertEqual(self.queued(partner), ["invoice"])

    def test_queue_job_rescores_and_empties_the_queue(self):
        partner = self.customer("Queued")
        other = self.customer("Untouched")
        self.clear_queue()
        self.paid_invoice(partner, 1000, -100, days_late=3)
        self.env["res.partner"]._cron_credit_rescore_queue()
        self.assertEqual(self.queued(partner), [])
        self.assertEqual(self.last_history(partner).trigger, "event")
        self.assertEqual(partner.credit_avg_days_late, 3.0)
        self.assertFalse(other.credit_score_date, "only queued customers are rescored")


@tagged("post_install", "-at_install")
class TestCreditBatches(CreditCommon):
    """The daily run goes batch by batch; a crash keeps finished batches and a rerun does the rest."""

    def test_interrupted_run_resumes_where_it_stopped(self):
        partners = [self.customer(f"Batch {i}") for i in range(5)]
        for partner in partners:
            self.paid_invoice(partner, 1000, -100, days_late=1)
        engine_cls = type(self.engine)
        original = engine_cls._rescore_batch
        calls = []

        def crash_on_second_batch(engine, company, partner_ids, *args, **kwargs):
            calls.append(list(partner_ids))
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(engine, company, partner_ids, *args, **kwargs)

        # Not assertRaises: Odoo's rolls back a savepoint, which would hide what the crash left behind.
        with patch.object(engine_cls, "_rescore_batch", crash_on_second_batch):
            crashed = False
            try:
                self.engine._rescore_company(self.company, batch_size=2, auto_commit=False)
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed, "the second batch should have crashed the run")
        scored = [p for p in partners if p.credit_score_date]
        self.assertEqual(len(scored), 2, "the first batch is kept")
        self.assertEqual(calls[0], [p.id for p in scored])

        done = self.engine._rescore_company(self.company, batch_size=2, auto_commit=False)
        self.assertEqual(done, 3, "the rerun does only the rest")
        self.assertTrue(all(p.credit_score_date for p in partners))
        self.assertEqual(self.engine._rescore_company(self.company, batch_size=2, auto_commit=False), 0)

    def test_daily_run_leaves_profiles_rescored_after_its_snapshot(self):
        partner = self.customer("Overtaken")
        for start in (-200, -150):
            self.paid_invoice(partner, 1000, start, days_late=0)
        self.rescore(partner)
        engine = self.engine.with_company(self.company)
        ids = np.array([partner.id])
        as_of = fields.Datetime.now() - timedelta(minutes=1)
        snapshot = engine._gather(self.company, self.policy, ids, self.today, whole_company=True)
        # an event rescores the customer after the daily run's snapshot
        self.invoice(partner, 5000, invoice_days=-130, due_days=30)
        self.rescore(partner, trigger="event")
        fresh_score = partner.credit_score
        engine._rescore_batch(self.company, ids, "cron", None, data=snapshot, as_of=as_of)
        partner.invalidate_recordset()
        self.assertEqual(partner.credit_score, fresh_score, "the older snapshot does not overwrite")
        self.assertEqual(self.last_history(partner).trigger, "event")

    def test_daily_cron_scores_every_customer(self):
        partners = [self.customer(f"Daily {i}") for i in range(3)]
        self.paid_invoice(partners[0], 1000, -100, days_late=1)
        self.env["res.partner"]._cron_credit_rescore()
        self.assertTrue(all(p.credit_grade_id for p in partners))
        self.assertEqual(self.last_history(partners[0]).trigger, "cron")
