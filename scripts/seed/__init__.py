"""Seed realistic customer invoicing and payment history straight into PostgreSQL.

    from seed import seed, verify_sample
    stats = seed(env, customers=200)        # plans and writes the history
    verify_sample(env)                      # recomputes a sample through the ORM

    python scripts/seed -c CONF -d DB --customers 100000 --invoices-per-customer 10

Why SQL: posting through the ORM costs ~50 ms per invoice, hopeless for benchmark-size data (100k customers,
1M invoices). The whole history is planned with vectorised numpy code (no Python loop over customers or
invoices), then written with a handful of large ``INSERT ... SELECT FROM unnest(arrays)`` statements, in
chunks, holding the values the ORM would have stored. ``verify_sample`` checks that claim on a sample by
recomputing it through the ORM, and posts a new invoice and payments through the ORM on top of the data.

What is written (company currency or one foreign currency, EUR by default):
- company customers (res.partner) with a realistic name, a salesperson for some, a payment term, and their
  behaviour profile in ``ref`` ('SEED-<profile>-000123'), customer_rank as the ORM counts it;
- posted customer invoices (one product line, no taxes) and credit notes, due dates from "N days" terms;
- account.payment records with their journal entries, reconciled with the invoices through
  account.partial.reconcile / account.full.reconcile, some invoices paid in 2-3 parts, some left partial;
- a few unallocated (on-account) payments; open and overdue items shaped by the profiles below.

Consistency choices:
- Currency: foreign invoices are converted at the invoice date's rate exactly as the ORM does (rates read
  through the ORM, Odoo's float rounding reproduced). No exchange-difference entries are created: a foreign
  invoice is paid by one payment of its full amount, in its currency, whose company-currency amount is set to
  the invoice's (what the register-payment wizard writes with ``force_balance``), so that the reconciliation
  yields no exchange difference. For the same reason foreign credit notes are never reconciled (their rate
  differs from the invoice's); they stay open, as do foreign on-account payments (converted at their date).
- Sequences: names continue each journal's sequence per year prefix (INV/2025/, RINV/2025/, PBNK1/2025/),
  numbered 1..n in date order after any existing number, so the ORM's next number does not collide.
- Payments: state, is_reconciled, is_matched, names, memo and labels as the register-payment wizard leaves
  them in Community ('paid' once every linked invoice is paid, else 'in_process').
- Not written: chatter (mail.message, followers), analytic lines, taxes, bank statements.

Speed (1M invoices in a few minutes on 2 cores): almost all the time is Postgres maintaining indexes and
checking foreign keys row by row. When the role is a superuser, the foreign-key triggers are skipped during
the writes (session_replication_role = replica) and the generated references are validated set-based
afterwards; for large runs the plain secondary indexes of the accounting tables are dropped and rebuilt from
their own definitions around the writes. Both happen inside the caller's transaction: a failure rolls
everything back.

Modules: core holds seed(), which runs refs (reference records through the ORM), rates (currency rates and
Odoo's rounding), plan (the numpy plan), then rows (the planned rows: amounts and states, ids and numbers
from numbering, customer names from names, the summary), written through write (chunked execution, session
settings, deferred indexes, reference checks) with the statements of sql. verify and replay hold
verify_sample(), compare their helpers; profiles, days and phases are shared; __main__ is the command line.
"""

from .core import seed
from .profiles import DEFAULT_MIX, PROFILES, REF_PREFIX
from .verify import verify_sample
