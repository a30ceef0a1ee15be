"""verify_sample(): SQL invariants on a sample of the seeded moves, and their stored values recomputed
through the ORM; the ORM postings on top of them are in replay."""

import numpy as np

from .compare import _assert_none, _assert_same, _read
from .profiles import REF_PREFIX
from .replay import _check_new_postings, _check_replay

MOVE_FIELDS = (
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "payment_state",
    "commercial_partner_id",
    "sequence_prefix",
    "sequence_number",
    "invoice_partner_display_name",
    "always_tax_exigible",
)
INVOICE_FIELDS = (
    "invoice_date_due",
    "invoice_currency_rate",
    "invoice_payment_term_id",
    "invoice_user_id",
    "team_id",
    "partner_shipping_id",
)
LINE_FIELDS = (
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "debit",
    "credit",
    "price_subtotal",
    "price_total",
    "move_name",
    "parent_state",
    "date",
    "invoice_date",
    "journal_id",
    "company_id",
    "currency_id",
    "partner_id",
    "sequence",
    "tax_tag_invert",
)
INVOICE_LINE_FIELDS = ("account_id",)
PAYMENT_FIELDS = (
    "state",
    "is_reconciled",
    "is_matched",
    "amount_company_currency_signed",
    "name",
    "destination_account_id",
    "payment_method_line_id",
    "partner_bank_id",
)
PARTNER_FIELDS = ("commercial_partner_id", "complete_name", "commercial_company_name")


def verify_sample(env, n=50, rng_seed=0):
    """Check seeded data against the ORM; raise AssertionError on any mismatch.

    - SQL on the sampled moves: balanced, each reconcilable line's residual equal to its balance less its
      partial reconciliations, each invoice's residual the sum of its receivable lines'; over the whole
      database: open receivable = open invoices and credit notes + unmatched payments;
    - on about n sampled moves (paid, partial, open, credit notes, payments, foreign, on-account) and their
      lines, payments and partners: stored values equal what the ORM compute methods give;
    - replay: a sampled invoice, credit note and payment recreated through the ORM give the same values;
    - a new invoice posted through the ORM gets a fresh, non-colliding name; registering payments on a
      partially paid and on a foreign open invoice fully reconciles them.
    All ORM work happens in a savepoint that is rolled back.
    """
    env.flush_all()
    samples = _sample_moves(env, n, rng_seed)
    if not samples:
        raise AssertionError("verify_sample: no seeded move found (partners with ref 'SEED-...')")
    _check_sql_invariants(env, sorted({i for ids in samples.values() for i in ids}))
    savepoint = env.cr.savepoint()
    try:
        env.invalidate_all()
        _check_recomputed(env, samples)
        _check_replay(env, samples)
        _check_new_postings(env, samples)
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all(flush=False)


def _check_sql_invariants(env, move_ids):
    """Set-based checks: per sampled move, and one receivable identity over the whole database."""
    cr = env.cr
    cr.execute(
        """
        SELECT m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         WHERE m.id = ANY(%s)
         GROUP BY m.id, m.name
        HAVING sum(l.debit) <> sum(l.credit) OR sum(l.balance) <> 0 OR count(*) <> 2
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "unbalanced moves (or not 2 lines)")
    cr.execute(
        """
        SELECT l.move_name, l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
         CROSS JOIN LATERAL (SELECT COALESCE(sum(amount), 0) AS amount,
                                    COALESCE(sum(debit_amount_currency), 0) AS amount_currency
                               FROM account_partial_reconcile WHERE debit_move_id = l.id) deb
         CROSS JOIN LATERAL (SELECT COALESCE(sum(amount), 0) AS amount,
                                    COALESCE(sum(credit_amount_currency), 0) AS amount_currency
                               FROM account_partial_reconcile WHERE credit_move_id = l.id) cre
         WHERE l.move_id = ANY(%s)
           AND (l.amount_residual <> l.balance - deb.amount + cre.amount
                OR l.amount_residual_currency <> l.amount_currency - deb.amount_currency + cre.amount_currency
                OR l.reconciled <> (l.amount_residual = 0 AND l.amount_residual_currency = 0))
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "lines whose residual disagrees with their partial reconciliations")
    cr.execute(
        """
        SELECT m.name FROM account_move m
          JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
         WHERE m.id = ANY(%s)
         GROUP BY m.id, m.name, m.amount_residual_signed
        HAVING m.amount_residual_signed <> sum(l.amount_residual)
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "invoices whose amount_residual_signed is not the sum of their term lines'")
    # Over everything: open receivable = open invoices and credit notes + unmatched payments. Compared in
    # SQL: the cursor hands numerics back as floats, whose sums are not exact.
    cr.execute(
        """
        WITH receivable AS (
            SELECT COALESCE(sum(l.amount_residual), 0) AS total,
                   COALESCE(sum(l.amount_residual) FILTER (WHERE l.display_type <> 'payment_term'), 0)
                   AS unmatched
              FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
             WHERE l.parent_state = 'posted'
        ), documents AS (
            SELECT COALESCE(sum(amount_residual_signed), 0) AS total FROM account_move
             WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund', 'out_receipt')
        )
        SELECT r.total, d.total, r.unmatched, r.total = d.total + r.unmatched FROM receivable r, documents d
        """
    )
    receivable, open_documents, unmatched_entries, consistent = cr.fetchone()
    if not consistent:
        raise AssertionError(
            f"verify_sample: open receivable {receivable} != open invoices/credit notes "
            f"{open_documents} + unmatched payments {unmatched_entries}"
        )


def _sample_moves(env, n, rng_seed):
    """About n seeded moves spread over categories (kind x state x currency): {category: [move ids]}."""
    cr, like = env.cr, REF_PREFIX + "%"
    cr.execute(
        """SELECT count(*) FROM account_move m JOIN res_partner p ON p.id = m.partner_id
                   WHERE p.ref LIKE %s""",
        (like,),
    )
    total = cr.fetchone()[0]
    if not total:
        return {}
    # A repeatable sample of the table, large enough to hold every category, small enough to stay cheap.
    percent = min(100.0, 100.0 * max(5000, 100 * n) / total)
    cr.execute(
        """
        SELECT m.id,
               CASE WHEN m.move_type = 'out_invoice' THEN 'invoice_' || m.payment_state
                    WHEN m.move_type = 'out_refund' THEN 'credit_note_' || m.payment_state
                    WHEN EXISTS (SELECT 1 FROM account_move__account_payment r
                                  WHERE r.payment_id = m.origin_payment_id) THEN 'payment'
                    ELSE 'payment_on_account' END
               || CASE WHEN m.currency_id <> c.currency_id THEN '_foreign' ELSE '' END
          FROM account_move m TABLESAMPLE BERNOULLI (%s) REPEATABLE (%s)
          JOIN res_partner p ON p.id = m.partner_id
          JOIN res_company c ON c.id = m.company_id
         WHERE p.ref LIKE %s AND m.state = 'posted'
    """,
        (percent, rng_seed, like),
    )
    by_category = {}
    for move_id, category in cr.fetchall():
        by_category.setdefault(category, []).append(move_id)
    rng = np.random.default_rng(rng_seed)
    per_category = max(2, -(-n // max(len(by_category), 1)))
    return {
        category: sorted(rng.choice(ids, min(per_category, len(ids)), replace=False).tolist())
        for category, ids in sorted(by_category.items())
    }


def _check_recomputed(env, samples):
    """Stored values of the sampled moves, their lines, payments and partners == the ORM's recomputation."""
    moves = env["account.move"].browse(sorted({i for ids in samples.values() for i in ids}))
    invoices = moves.filtered(lambda m: m.move_type != "entry")
    lines = moves.line_ids
    payments = moves.origin_payment_id
    partners = moves.partner_id
    stored = [
        _read(moves, MOVE_FIELDS),
        _read(invoices, INVOICE_FIELDS),
        _read(lines, LINE_FIELDS),
        _read(invoices.line_ids, INVOICE_LINE_FIELDS),
        _read(payments, PAYMENT_FIELDS),
        _read(partners, PARTNER_FIELDS),
    ]
    checks = [
        (moves, MOVE_FIELDS),
        (invoices, INVOICE_FIELDS),
        (lines, LINE_FIELDS),
        (invoices.line_ids, INVOICE_LINE_FIELDS),
        (payments, PAYMENT_FIELDS),
        (partners, PARTNER_FIELDS),
    ]
    for records, fnames in checks:
        for fname in fnames:
            env.add_to_compute(records._fields[fname], records)
    for (records, fnames), before in zip(checks, stored, strict=True):
        _assert_same(before, _read(records, fnames), f"{records._name}: stored value != ORM recompute")
    # Company-currency balance of invoice lines, as the ORM derives it from amount_currency and the rate.
    for line in invoices.line_ids:
        expected = line.company_currency_id.round(line.amount_currency / line.currency_rate)
        if line.company_currency_id.compare_amounts(expected, line.balance):
            raise AssertionError(
                f"verify_sample: {line.move_name} line {line.id}: balance {line.balance} "
                f"!= amount_currency / rate = {expected}"
            )
    # Per record: with a batch, the ORM's compute searches the whole number range the batch spans.
    stored_gaps = {move.id: move.made_sequence_gap for move in moves}
    for move in moves:
        env.add_to_compute(moves._fields["made_sequence_gap"], move)
        if move.made_sequence_gap != stored_gaps[move.id]:
            raise AssertionError(
                f"verify_sample: {move.name}: made_sequence_gap stored "
                f"{stored_gaps[move.id]}, ORM {move.made_sequence_gap}"
            )
    lines._constrains_matching_number()
    _check_customer_rank(env, partners)


def _check_customer_rank(env, partners):
    """customer_rank = posted sale documents + payment entries on a receivable (as account.move._post)."""
    env.cr.execute(
        """
        SELECT p.id, p.customer_rank, count(DISTINCT l.move_id)
          FROM res_partner p
          JOIN account_move_line l ON l.partner_id = p.id AND l.parent_state = 'posted'
          JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
         WHERE p.id = ANY(%s)
         GROUP BY p.id, p.customer_rank
        HAVING p.customer_rank <> count(DISTINCT l.move_id)
    """,
        (partners.ids,),
    )
    _assert_none(
        env.cr.fetchall(), "customer_rank != number of posted receivable moves (partner, rank, moves)"
    )
