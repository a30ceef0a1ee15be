"""verify_sample()'s ORM postings: sampled documents recreated through the ORM and compared field by
field, then new invoices and payments posted on top of the seeded data."""

from odoo import Command, fields

from .compare import _assert_same, _read
from .refs import _ensure_product

# Compared between a seeded document and the same document created through the ORM.
REPLAY_MOVE_FIELDS = (
    "move_type",
    "state",
    "currency_id",
    "journal_id",
    "company_id",
    "commercial_partner_id",
    "partner_shipping_id",
    "invoice_payment_term_id",
    "invoice_user_id",
    "team_id",
    "invoice_date_due",
    "invoice_currency_rate",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "always_tax_exigible",
    "checked",
    "posted_before",
    "auto_post",
    "is_storno",
    "invoice_partner_display_name",
    "fiscal_position_id",
    "partner_bank_id",
)
REPLAY_LINE_FIELDS = (
    "display_type",
    "sequence",
    "account_id",
    "currency_id",
    "partner_id",
    "product_id",
    "product_uom_id",
    "name",
    "date",
    "invoice_date",
    "date_maturity",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount",
    "discount_amount_currency",
    "discount_balance",
    "tax_tag_invert",
    "tax_ids",
    "tax_line_id",
    "journal_id",
    "company_id",
    "parent_state",
    "analytic_distribution",
)
REPLAY_PAYMENT_FIELDS = (
    "state",
    "payment_type",
    "partner_type",
    "journal_id",
    "company_id",
    "currency_id",
    "partner_id",
    "payment_method_line_id",
    "payment_method_id",
    "outstanding_account_id",
    "destination_account_id",
    "amount",
    "amount_company_currency_signed",
    "is_reconciled",
    "is_matched",
    "date",
    "partner_bank_id",
)
REPLAY_PAYMENT_LINE_FIELDS = (
    "display_type",
    "sequence",
    "account_id",
    "currency_id",
    "partner_id",
    "date",
    "date_maturity",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount",
    "tax_tag_invert",
    "invoice_date",
)


def _pick(samples, *categories):
    for category in categories:
        if samples.get(category):
            return samples[category][0]
    return None


def _check_replay(env, samples):
    """Recreate sampled documents through the ORM and compare field by field."""
    Move = env["account.move"]
    # Backdated postings cost the ORM a scan of the journal's later moves: replay one of each kind only.
    for categories in (
        ("invoice_paid", "invoice_not_paid"),
        ("invoice_not_paid_foreign", "invoice_paid_foreign"),
        ("credit_note_paid", "credit_note_not_paid"),
        ("credit_note_not_paid_foreign",),
    ):
        move_id = _pick(samples, *categories)
        if move_id:
            _replay_document(env, Move.browse(move_id))
    # A company-currency invoice paid by a single payment (no credit note): replay its payment too.
    single = _single_payment_invoice(env, samples.get("invoice_paid", []))
    if single:
        _replay_payment(env, Move.browse(single))


def _posted_replica(env, seeded):
    """The seeded one-line document created and posted through the ORM."""
    line = seeded.invoice_line_ids
    replica = env["account.move"].create(
        {
            "move_type": seeded.move_type,
            "partner_id": seeded.partner_id.id,
            "invoice_date": seeded.invoice_date,
            "currency_id": seeded.currency_id.id,
            "journal_id": seeded.journal_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                    }
                )
            ],
        }
    )
    replica.action_post()
    return replica


def _replay_document(env, seeded):
    replica = _posted_replica(env, seeded)
    label = f"replay of {seeded.name}"
    _assert_same(
        _read(seeded, REPLAY_MOVE_FIELDS),
        {seeded.id: _read(replica, REPLAY_MOVE_FIELDS)[replica.id]},
        f"{label}: seeded != ORM",
        label=seeded.name,
    )
    if seeded.move_type == "out_invoice" and replica.payment_reference != replica.name:
        raise AssertionError(f"verify_sample: {label}: payment_reference is not the name")
    for display_type in ("product", "payment_term"):
        mine = seeded.line_ids.filtered(lambda x, d=display_type: x.display_type == d)
        theirs = replica.line_ids.filtered(lambda x, d=display_type: x.display_type == d)
        expected = _read(mine, REPLAY_LINE_FIELDS)[mine.id]
        actual = _read(theirs, REPLAY_LINE_FIELDS)[theirs.id]
        if display_type == "payment_term":  # labelled with each document's own reference
            expected["name"], actual["name"] = bool(expected["name"]), bool(actual["name"])
        _assert_same(
            {mine.id: expected},
            {mine.id: actual},
            f"{label}: line seeded != ORM",
            label=f"{seeded.name}/{display_type}",
        )
    _check_fresh_name(env, replica)


def _single_payment_invoice(env, invoice_ids):
    if not invoice_ids:
        return None
    env.cr.execute(
        """
        SELECT l.move_id FROM account_move_line l
          JOIN account_partial_reconcile p ON p.debit_move_id = l.id
          JOIN account_move_line c ON c.id = p.credit_move_id
         WHERE l.move_id = ANY(%s) AND l.display_type = 'payment_term'
         GROUP BY l.move_id HAVING count(*) = 1 AND bool_and(c.payment_id IS NOT NULL)
         ORDER BY l.move_id LIMIT 1
    """,
        (list(invoice_ids),),
    )
    row = env.cr.fetchone()
    return row and row[0]


def _replay_payment(env, seeded_invoice):
    seeded_pay = seeded_invoice.matched_payment_ids
    replica = _posted_replica(env, seeded_invoice)
    payment = _register_payment(env, replica, seeded_pay.date)
    label = f"replay of {seeded_pay.name}"
    _assert_same(
        _read(seeded_pay, REPLAY_PAYMENT_FIELDS),
        {seeded_pay.id: _read(payment, REPLAY_PAYMENT_FIELDS)[payment.id]},
        f"{label}: seeded != ORM",
        label=seeded_pay.name,
    )
    if (seeded_pay.memo, payment.memo) != (seeded_invoice.name, replica.name):
        raise AssertionError(f"verify_sample: {label}: memo {seeded_pay.memo!r} vs ORM {payment.memo!r}")
    for mine, theirs in zip(
        seeded_pay.move_id.line_ids.sorted("id"), payment.move_id.line_ids.sorted("id"), strict=True
    ):
        expected, actual = _read(mine, REPLAY_PAYMENT_LINE_FIELDS), _read(theirs, REPLAY_PAYMENT_LINE_FIELDS)
        _assert_same(
            expected,
            {mine.id: actual[theirs.id]},
            f"{label}: line seeded != ORM",
            label=f"{seeded_pay.name}/{mine.account_id.code}",
        )
        if mine.name.replace(seeded_invoice.name, "") != theirs.name.replace(replica.name, ""):
            raise AssertionError(f"verify_sample: {label}: label {mine.name!r} vs ORM {theirs.name!r}")
    for inv, pay in ((seeded_invoice, seeded_pay), (replica, payment)):
        term = inv.line_ids.filtered(lambda x: x.display_type == "payment_term")
        counterpart = pay.move_id.line_ids.filtered(lambda x, acc=term.account_id: x.account_id == acc)
        partial = term.matched_credit_ids
        if not (
            inv.payment_state == "paid"
            and term.full_reconcile_id
            and partial.credit_move_id == counterpart
            and term.matching_number == counterpart.matching_number == str(term.full_reconcile_id.id)
            and partial.max_date == pay.date
            and partial.amount == pay.amount
        ):
            raise AssertionError(f"verify_sample: {label}: reconciliation of {inv.name} differs")
    _check_fresh_name(env, payment.move_id)


def _register_payment(env, invoice, day):
    wizard = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"payment_date": day})
    )
    return wizard._create_payments()


def _check_fresh_name(env, move):
    """The ORM's name for a new move is unique in its journal and follows the last number of its prefix."""
    env.cr.execute(
        "SELECT count(*) FROM account_move WHERE name = %s AND journal_id = %s AND state = 'posted'",
        (move.name, move.journal_id.id),
    )
    same_name = env.cr.fetchone()[0]
    env.cr.execute(
        "SELECT max(sequence_number) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s"
        " AND id <> %s",
        (move.journal_id.id, move.sequence_prefix, move.id),
    )
    previous = env.cr.fetchone()[0]
    if same_name != 1 or move.sequence_number != (previous or 0) + 1:
        raise AssertionError(
            f"verify_sample: ORM posted {move.name} (number {move.sequence_number}) but the "
            f"journal's last number for {move.sequence_prefix} was {previous}, "
            f"{same_name} moves have that name"
        )


def _check_new_postings(env, samples):
    """Post through the ORM on top of the seeded data: today's invoice, payments of open items."""
    Move = env["account.move"]
    any_move = Move.browse(next(iter(samples.values()))[0])
    today = fields.Date.context_today(env.user)
    product = _ensure_product(env)
    invoice = Move.create(
        {
            "move_type": "out_invoice",
            "partner_id": any_move.partner_id.id,
            "invoice_date": today,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": 100.0})
            ],
        }
    )
    invoice.action_post()
    _check_fresh_name(env, invoice)
    for category in (
        "invoice_partial",
        "invoice_not_paid_foreign",
        "invoice_partial_foreign",
        "invoice_not_paid",
    ):
        move_id = _pick(samples, category)
        if not move_id:
            continue
        seeded = Move.browse(move_id)
        earlier_payments = seeded.matched_payment_ids
        _register_payment(env, seeded, max(today, seeded.invoice_date))
        term = seeded.line_ids.filtered(lambda x: x.display_type == "payment_term")
        if seeded.payment_state != "paid" or not term.full_reconcile_id or not term.reconciled:
            raise AssertionError(
                f"verify_sample: paying {seeded.name} through the ORM left it "
                f"{seeded.payment_state} (residual {seeded.amount_residual})"
            )
        group = term.full_reconcile_id.reconciled_line_ids
        if set(group.mapped("matching_number")) != {str(term.full_reconcile_id.id)}:
            raise AssertionError(
                f"verify_sample: {seeded.name}: matching numbers after payment "
                f"{set(group.mapped('matching_number'))}"
            )
        if earlier_payments.filtered(lambda p: p.state != "paid"):
            raise AssertionError(f"verify_sample: {seeded.name}: earlier payments not 'paid' once it is paid")
