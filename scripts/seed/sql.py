"""The INSERT statements: each writes one chunk of planned rows from integer arrays (unnest)."""

# create_date/write_date: the transaction's timestamp in UTC, as the ORM writes them.
PARTNER_SQL = """
INSERT INTO res_partner (
    id, name, complete_name, commercial_company_name, commercial_partner_id, ref, user_id, customer_rank,
    supplier_rank, is_company, active, type, lang, partner_share, color, message_bounce, invoice_warn,
    sale_warn, autopost_bills, email, email_normalized, country_id, property_payment_term_id,
    create_uid, write_uid, create_date, write_date)
SELECT t.id, t.name, t.name, t.name, t.id, t.ref, NULLIF(t.user_id, 0), t.rank,
       0, true, true, 'contact', %(lang)s, true, 0, 0, 'no-message', 'no-message',
       'ask', t.email, lower(t.email), %(country)s::int4, jsonb_build_object(%(company)s::text, t.term),
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM unnest(%(id)s::int4[], %(name)s::text[], %(ref)s::text[], %(user_id)s::int4[], %(rank)s::int4[],
              %(email)s::text[], %(term)s::int4[])
       AS t(id, name, ref, user_id, rank, email, term)
"""

FULL_RECONCILE_SQL = """
INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date, write_date)
SELECT g, %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM generate_series(%(first)s::int4, %(last)s::int4) g
"""

# Invoices (kind 0) and credit notes (kind 1): the move and its two lines (product, payment term).
DOCUMENT_SQL = """
WITH s AS MATERIALIZED (
    SELECT t.*, p.name AS partner_name,
           DATE '1970-01-01' + t.day AS d, DATE '1970-01-01' + t.due AS due_date,
           CASE WHEN t.kind = 0 THEN 1 ELSE -1 END AS sgn,
           CASE WHEN t.kind = 0 THEN 'out_invoice' ELSE 'out_refund' END AS move_type,
           CASE WHEN t.rate_idx > 0 THEN %(foreign_currency)s ELSE %(company_currency)s END AS currency_id,
           (%(rates)s::numeric[])[t.rate_idx + 1] AS rate,
           (%(prefixes)s::text[])[t.prefix_idx] AS prefix,
           (%(prefixes)s::text[])[t.prefix_idx]
             || lpad(t.seq::text, GREATEST((%(widths)s::int4[])[t.prefix_idx], length(t.seq::text)), '0')
             AS name,
           CASE WHEN t.match > 0 THEN t.match::text WHEN t.match < 0 THEN 'P' || (-t.match) END AS matching
      FROM unnest(%(id)s::int4[], %(kind)s::int2[], %(line_id)s::int4[], %(partner_id)s::int4[],
                  %(day)s::int4[], %(due)s::int4[], %(term_id)s::int4[], %(user_id)s::int4[],
                  %(team_id)s::int4[], %(rate_idx)s::int4[], %(qty)s::int4[], %(price)s::int8[],
                  %(amt_cur)s::int8[], %(amt_comp)s::int8[], %(res_cur)s::int8[], %(res_comp)s::int8[],
                  %(state)s::int2[], %(prefix_idx)s::int4[], %(seq)s::int4[], %(full_id)s::int4[],
                  %(match)s::int4[])
           AS t(id, kind, line_id, partner_id, day, due, term_id, user_id, team_id, rate_idx, qty, price,
                amt_cur, amt_comp, res_cur, res_comp, state, prefix_idx, seq, full_id, match)
      JOIN res_partner p ON p.id = t.partner_id
), moves AS (
    INSERT INTO account_move (
        id, journal_id, company_id, currency_id, partner_id, commercial_partner_id, partner_shipping_id,
        invoice_payment_term_id, invoice_user_id, team_id, partner_bank_id, sequence_prefix, sequence_number,
        name, state, move_type, auto_post, payment_reference, payment_state, invoice_partner_display_name,
        date, invoice_date, invoice_date_due, invoice_currency_rate,
        amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed,
        amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
        amount_total_in_currency_signed, amount_residual_signed,
        is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap, is_manually_modified,
        create_uid, write_uid, create_date, write_date)
    SELECT id, %(journal)s, %(company)s, currency_id, partner_id, partner_id, partner_id,
           term_id, user_id, NULLIF(team_id, 0), CASE WHEN kind = 0 THEN %(invoice_bank)s::int4 END,
           prefix, seq,
           name, 'posted', move_type, 'no', CASE WHEN kind = 0 THEN name END,
           (ARRAY['not_paid', 'partial', 'paid'])[state + 1], partner_name,
           d, d, due_date, rate,
           amt_cur * 0.01, 0.00, amt_cur * 0.01, res_cur * 0.01, sgn * amt_comp * 0.01,
           sgn * amt_cur * 0.01, 0.00, sgn * amt_comp * 0.01,
           sgn * amt_cur * 0.01, sgn * res_comp * 0.01,
           false, false, true, true, false, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
)
INSERT INTO account_move_line (
    id, move_id, journal_id, company_id, company_currency_id, sequence, account_id, currency_id, partner_id,
    full_reconcile_id, product_id, product_uom_id, move_name, parent_state, name, matching_number,
    display_type, date, invoice_date, date_maturity, debit, credit, balance, amount_currency,
    amount_residual, amount_residual_currency, quantity, price_unit, price_subtotal, price_total, discount,
    discount_amount_currency, discount_balance, tax_tag_invert, reconciled,
    create_uid, write_uid, create_date, write_date)
SELECT s.line_id + k.term, s.id, %(journal)s, %(company)s, %(company_currency)s,
       CASE k.term WHEN 0 THEN 100 ELSE 12000 END,
       CASE k.term WHEN 0 THEN %(income_account)s ELSE %(receivable_account)s END,
       s.currency_id, s.partner_id,
       CASE k.term WHEN 1 THEN NULLIF(s.full_id, 0) END,
       CASE k.term WHEN 0 THEN %(product)s END, CASE k.term WHEN 0 THEN %(uom)s END,
       s.name, 'posted',
       CASE k.term WHEN 0 THEN %(product_name)s WHEN 1 THEN CASE WHEN s.kind = 0 THEN s.name END END,
       CASE k.term WHEN 1 THEN s.matching END,
       CASE k.term WHEN 0 THEN 'product' ELSE 'payment_term' END,
       s.d, s.d, CASE k.term WHEN 1 THEN s.due_date END,
       CASE WHEN k.sign * s.sgn > 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       CASE WHEN k.sign * s.sgn < 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       k.sign * s.sgn * s.amt_comp * 0.01, k.sign * s.sgn * s.amt_cur * 0.01,
       CASE k.term WHEN 1 THEN s.sgn * s.res_comp * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 1 THEN s.sgn * s.res_cur * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.qty ELSE 0 END * 1.00,
       CASE k.term WHEN 0 THEN s.price * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.amt_cur * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.amt_cur * 0.01 ELSE 0.00 END,
       0.00,
       CASE k.term WHEN 1 THEN 0.00 END, CASE k.term WHEN 1 THEN 0.00 END,
       false, k.term = 1 AND s.res_comp = 0 AND s.res_cur = 0,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM s CROSS JOIN (VALUES (0, -1), (1, 1)) AS k(term, sign)
"""

# Payments: account.payment, its move (liquidity + receivable lines) and the link to the paid invoice.
PAYMENT_SQL = """
WITH s AS MATERIALIZED (
    SELECT t.*, p.name AS partner_name,
           CASE WHEN t.invoice_id > 0 THEN (%(prefixes)s::text[])[t.inv_prefix_idx]
             || lpad(t.inv_seq::text,
                     GREATEST((%(widths)s::int4[])[t.inv_prefix_idx], length(t.inv_seq::text)), '0')
           END AS memo,
           DATE '1970-01-01' + t.day AS d,
           CASE WHEN t.is_foreign = 1 THEN %(foreign_currency)s ELSE %(company_currency)s END AS currency_id,
           (%(prefixes)s::text[])[t.prefix_idx] AS prefix,
           (%(prefixes)s::text[])[t.prefix_idx]
             || lpad(t.seq::text, GREATEST((%(widths)s::int4[])[t.prefix_idx], length(t.seq::text)), '0')
             AS name,
           %(method_name)s AS method_name,
           CASE WHEN t.match > 0 THEN t.match::text WHEN t.match < 0 THEN 'P' || (-t.match) END AS matching
      FROM unnest(%(id)s::int4[], %(move_id)s::int4[], %(line_id)s::int4[], %(partner_id)s::int4[],
                  %(day)s::int4[], %(is_foreign)s::int2[], %(amt_cur)s::int8[], %(amt_comp)s::int8[],
                  %(invoice_id)s::int4[], %(state)s::int2[], %(prefix_idx)s::int4[], %(seq)s::int4[],
                  %(full_id)s::int4[], %(match)s::int4[], %(inv_prefix_idx)s::int4[], %(inv_seq)s::int4[])
           AS t(id, move_id, line_id, partner_id, day, is_foreign, amt_cur, amt_comp, invoice_id, state,
                prefix_idx, seq, full_id, match, inv_prefix_idx, inv_seq)
      JOIN res_partner p ON p.id = t.partner_id
), payments AS (
    INSERT INTO account_payment (
        id, move_id, journal_id, company_id, partner_bank_id, payment_method_line_id, payment_method_id,
        currency_id, partner_id, outstanding_account_id, destination_account_id, name, state, payment_type,
        partner_type, memo, date, amount, amount_company_currency_signed, is_reconciled, is_matched,
        create_uid, write_uid, create_date, write_date)
    SELECT id, move_id, %(journal)s, %(company)s, %(partner_bank)s::int4, %(method_line)s, %(method)s,
           currency_id, partner_id, %(outstanding_account)s, %(receivable_account)s, name,
           CASE WHEN state = 2 THEN 'paid' ELSE 'in_process' END, 'inbound',
           'customer', memo, d, amt_cur * 0.01, amt_comp * 0.01, invoice_id > 0, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
), moves AS (
    INSERT INTO account_move (
        id, journal_id, company_id, currency_id, partner_id, commercial_partner_id, partner_bank_id,
        origin_payment_id, sequence_prefix, sequence_number, name, ref, state, move_type, auto_post,
        payment_state, invoice_partner_display_name, date, invoice_date_due, invoice_currency_rate,
        amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed,
        amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
        amount_total_in_currency_signed, amount_residual_signed,
        is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap, is_manually_modified,
        create_uid, write_uid, create_date, write_date)
    SELECT move_id, %(journal)s, %(company)s, currency_id, partner_id, partner_id, %(partner_bank)s::int4,
           id, prefix, seq, name, memo, 'posted', 'entry', 'no',
           'not_paid', partner_name, d, d, 0.0,
           0.00, 0.00, amt_cur * 0.01, 0.00, 0.00,
           0.00, 0.00, amt_comp * 0.01,
           amt_cur * 0.01, 0.00,
           false, true, true, true, false, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
), links AS (
    INSERT INTO account_move__account_payment (invoice_id, payment_id)
    SELECT invoice_id, id FROM s WHERE invoice_id > 0
)
INSERT INTO account_move_line (
    id, move_id, journal_id, company_id, company_currency_id, sequence, account_id, currency_id, partner_id,
    payment_id, full_reconcile_id, move_name, parent_state, ref, name, matching_number, display_type, date,
    date_maturity, debit, credit, balance, amount_currency, amount_residual, amount_residual_currency,
    quantity, price_unit, price_subtotal, price_total, discount, tax_tag_invert, reconciled,
    create_uid, write_uid, create_date, write_date)
SELECT s.line_id + k.cp, s.move_id, %(journal)s, %(company)s, %(company_currency)s, 100,
       CASE k.cp WHEN 0 THEN %(outstanding_account)s ELSE %(receivable_account)s END,
       s.currency_id, s.partner_id, s.id,
       CASE k.cp WHEN 1 THEN NULLIF(s.full_id, 0) END,
       s.name, 'posted', s.memo, s.method_name || COALESCE(': ' || s.memo, ''),
       CASE k.cp WHEN 1 THEN s.matching END, 'product', s.d, s.d,
       CASE k.cp WHEN 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       CASE k.cp WHEN 1 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       k.sign * s.amt_comp * 0.01, k.sign * s.amt_cur * 0.01,
       CASE WHEN k.cp = 1 AND s.invoice_id > 0 THEN 0.00 ELSE k.sign * s.amt_comp * 0.01 END,
       CASE WHEN k.cp = 1 AND s.invoice_id > 0 THEN 0.00 ELSE k.sign * s.amt_cur * 0.01 END,
       1.00, 0.00, k.sign * s.amt_cur * 0.01, k.sign * s.amt_cur * 0.01, 0.00,
       false, k.cp = 1 AND s.invoice_id > 0,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM s CROSS JOIN (VALUES (0, 1), (1, -1)) AS k(cp, sign)
"""

PARTIAL_SQL = """
INSERT INTO account_partial_reconcile (
    id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id, credit_currency_id, company_id,
    max_date, amount, debit_amount_currency, credit_amount_currency,
    create_uid, write_uid, create_date, write_date)
SELECT t.id, t.debit_line, t.credit_line, NULLIF(t.full_id, 0), t.currency_id, t.currency_id, %(company)s,
       DATE '1970-01-01' + t.day, t.amt_comp * 0.01, t.amt_cur * 0.01, t.amt_cur * 0.01,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM unnest(%(id)s::int4[], %(debit_line)s::int4[], %(credit_line)s::int4[], %(full_id)s::int4[],
              %(currency_id)s::int4[], %(day)s::int4[], %(amt_comp)s::int8[], %(amt_cur)s::int8[])
       AS t(id, debit_line, credit_line, full_id, currency_id, day, amt_comp, amt_cur)
"""
