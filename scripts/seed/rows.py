"""The planned rows of one seeding: amounts and states, ids and numbers, their writes, the summary."""

import numpy as np

from .names import _company_names
from .numbering import _rank_order, _reserve_ids, _Sequences
from .phases import _phase
from .profiles import PROFILES, REF_PREFIX
from .sql import DOCUMENT_SQL, FULL_RECONCILE_SQL, PARTIAL_SQL, PARTNER_SQL, PAYMENT_SQL
from .write import CHUNK, _execute_chunks

UID = 1  # create_uid / write_uid, as the ORM writes them under the superuser environment

# States coded as small ints in the plan: account.move.payment_state, and account.payment.state where
# PAID means 'paid' and anything else 'in_process'.
NOT_PAID, PARTIAL, PAID = 0, 1, 2
IN_PROCESS = 0


class _Plan:
    """The planned rows of one seeding, their ids, and how to write them."""

    def __init__(self, env, refs, cust, inv, parts, cn, onacc, end):
        self.env, self.cr, self.refs, self.end = env, env.cr, refs, end
        self.cust, self.inv, self.parts, self.cn, self.onacc = cust, inv, parts, cn, onacc

    # -- amounts and states -------------------------------------------------------------------------------

    def amounts(self, part_amount, inv_comp, inv_rate, cn_comp, cn_rate, part_comp, oa_comp, rate_values):
        inv, parts, cn = self.inv, self.parts, self.cn
        rec = parts["recorded"]
        self.pay_inv = parts["inv"][rec]  # invoice index of each recorded payment
        self.pay_day = parts["day"][rec]
        self.pay_cur = part_amount[rec]
        self.pay_comp = part_comp[rec]
        m = inv["date"].size
        paid_cur = np.bincount(self.pay_inv, weights=self.pay_cur, minlength=m).astype(np.int64)
        paid_comp = np.bincount(self.pay_inv, weights=self.pay_comp, minlength=m).astype(np.int64)
        n_partials = np.bincount(self.pay_inv, minlength=m)
        cn_rec = cn["inv"][cn["reconciled"]]
        credit = np.zeros(m, dtype=np.int64)
        credit[cn_rec] = cn["amount"][cn["reconciled"]]
        n_partials[cn_rec] += 1
        self.inv_comp, self.inv_rate = inv_comp, inv_rate
        self.inv_res_cur = inv["amount"] - credit - paid_cur
        self.inv_res_comp = inv_comp - credit - paid_comp
        self.settled = (self.inv_res_cur == 0) & (self.inv_res_comp == 0)
        self.inv_state = np.where(self.settled, PAID, np.where(n_partials > 0, PARTIAL, NOT_PAID))
        self.cn_comp, self.cn_rate = cn_comp, cn_rate
        self.oa_comp, self.rate_values = oa_comp, rate_values
        # Settlement day of a fully reconciled invoice: its last partial.
        last = np.full(m, -1, dtype=np.int64)
        np.maximum.at(last, self.pay_inv, self.pay_day)
        np.maximum.at(last, cn_rec, cn["day"][cn["reconciled"]])
        self.settle_day = last

    # -- ids ----------------------------------------------------------------------------------------------

    def assign_ids(self):
        inv, cn, onacc, cr = self.inv, self.cn, self.onacc, self.cr
        m, c, p, a = inv["date"].size, cn["day"].size, self.pay_day.size, onacc["day"].size
        # All moves in date order (invoice, then credit note, then payment on the same day), as the ORM
        # would have created them day after day.
        kind = np.repeat(np.array([0, 1, 2, 3], dtype=np.int8), [m, c, p, a])
        day = np.concatenate([inv["date"], cn["day"], self.pay_day, onacc["day"]]).astype(np.int64)
        rank = _rank_order(np.arange(day.size), kind, day)
        move_base = _reserve_ids(cr, "account_move", day.size)
        line_base = _reserve_ids(cr, "account_move_line", 2 * day.size)
        move_id = move_base + rank
        line_id = line_base + 2 * rank
        bounds = np.cumsum([0, m, c, p, a])
        self.inv_move, self.cn_move, self.pay_move, self.oa_move = (
            move_id[bounds[i] : bounds[i + 1]] for i in range(4)
        )
        self.inv_line, self.cn_line, self.pay_line, self.oa_line = (
            line_id[bounds[i] : bounds[i + 1]] for i in range(4)
        )
        # Payments (recorded parts + on-account) in date order, like their moves.
        all_pay_moves = np.concatenate([self.pay_move, self.oa_move])
        pay_rank = _rank_order(all_pay_moves)
        pay_base = _reserve_ids(cr, "account_payment", all_pay_moves.size)
        self.pay_id = pay_base + pay_rank[:p]
        self.oa_id = pay_base + pay_rank[p:]
        self._number_reconciliations()
        self._number_partners()
        seqs = _Sequences(self.env, self.refs)
        self.inv_seq, self.inv_prefix = seqs.number("out_invoice", inv["date"], self.inv_move)
        self.cn_seq, self.cn_prefix = seqs.number("out_refund", cn["day"], self.cn_move)
        pay_seq, pay_prefix = seqs.number(
            "payment", np.concatenate([self.pay_day, onacc["day"]]), all_pay_moves
        )
        self.pay_seq, self.oa_seq = pay_seq[:p], pay_seq[p:]
        self.pay_prefix, self.oa_prefix = pay_prefix[:p], pay_prefix[p:]
        self.sequences = seqs

    def _number_reconciliations(self):
        cn, m = self.cn, self.inv["date"].size
        # Partials in date order: credit notes before payments of the same day (they come first).
        rec_cn = np.flatnonzero(cn["reconciled"])
        part_day = np.concatenate([cn["day"][rec_cn], self.pay_day])
        part_kind = np.repeat([0, 1], [rec_cn.size, self.pay_day.size])
        partial_base = _reserve_ids(self.cr, "account_partial_reconcile", part_day.size)
        partial_id = partial_base + _rank_order(np.arange(part_day.size), part_kind, part_day)
        self.partial_inv = np.concatenate([cn["inv"][rec_cn], self.pay_inv])
        self.partial_id = partial_id
        # Full reconciles: one per settled invoice, numbered in settlement order.
        settled = np.flatnonzero(self.settled)
        self.full_base = _reserve_ids(self.cr, "account_full_reconcile", settled.size)
        self.full_count = settled.size
        full_id = np.zeros(m, dtype=np.int64)
        full_id[settled] = self.full_base + _rank_order(settled, self.settle_day[settled])
        # matching_number: the full reconcile id, else 'P' + the smallest partial id of the group.
        min_partial = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(min_partial, self.partial_inv, partial_id)
        has_partial = min_partial != np.iinfo(np.int64).max
        self.inv_full = full_id
        self.inv_match = np.where(full_id > 0, full_id, np.where(has_partial, -min_partial, 0))

    def _number_partners(self):
        n = self.cust["prof"].size
        self.partner_id = _reserve_ids(self.cr, "res_partner", n) + np.arange(n, dtype=np.int64)
        self.cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE %s", (REF_PREFIX + "%",))
        self.partner_number = self.cr.fetchone()[0] + 1 + np.arange(n)
        # customer_rank: +1 per posted invoice, credit note and payment entry on a receivable (as _post).
        owners = [
            self.inv["owner"],
            self.inv["owner"][self.cn["inv"]],
            self.inv["owner"][self.pay_inv],
            self.onacc["owner"],
        ]
        self.customer_rank = np.bincount(np.concatenate(owners), minlength=n)

    # -- writing ------------------------------------------------------------------------------------------

    def _constants(self):
        refs = self.refs
        return {
            "uid": UID,
            "company": refs.company_id,
            "company_currency": refs.company_currency_id,
            "foreign_currency": refs.foreign_currency_id,
            "prefixes": self.sequences.prefixes,
            "widths": self.sequences.widths,
            "receivable_account": refs.receivable_account_id,
        }

    def write(self, rng):
        with _phase("write partners"):
            self._write_partners(rng)
        with _phase("write full reconciles"):
            if self.full_count:
                self.cr.execute(
                    FULL_RECONCILE_SQL,
                    {"uid": UID, "first": self.full_base, "last": self.full_base + self.full_count - 1},
                )
        with _phase("write invoices/credit notes"):
            self._write_documents()
        with _phase("write payments"):
            self._write_payments()
        with _phase("write partial reconciles"):
            self._write_partials()

    def _write_partners(self, rng):
        cust, refs = self.cust, self.refs
        names, emails = _company_names(rng, cust["prof"].size)
        profiles = np.array(PROFILES)[cust["prof"]]
        numbers = np.char.zfill(self.partner_number.astype(str), 6)
        partner_refs = np.char.add(np.char.add(np.char.add(REF_PREFIX, profiles), "-"), numbers).tolist()
        _execute_chunks(
            self.cr,
            PARTNER_SQL,
            {
                "id": self.partner_id,
                "name": names,
                "ref": partner_refs,
                "user_id": cust["user_id"],
                "rank": self.customer_rank,
                "email": emails,
                "term": refs.term_ids[cust["term"]],
            },
            {"uid": UID, "lang": refs.lang, "country": refs.country_id, "company": refs.company_id},
        )

    def _write_documents(self):
        inv, cn, cust, refs = self.inv, self.cn, self.cust, self.refs
        owner = np.concatenate([inv["owner"], inv["owner"][cn["inv"]]])
        cn_rec = cn["reconciled"]
        cn_inv = cn["inv"]
        n_inv, n_cn = inv["date"].size, cn["day"].size
        term = refs.term_ids[cust["term"][owner]]
        days = refs.term_days[cust["term"][owner]]
        day = np.concatenate([inv["date"], cn["day"]])
        arrays = {
            "id": np.concatenate([self.inv_move, self.cn_move]),
            "kind": np.repeat([0, 1], [n_inv, n_cn]),
            "line_id": np.concatenate([self.inv_line, self.cn_line]),
            "partner_id": self.partner_id[owner],
            "day": day,
            "due": day + days,
            "term_id": term,
            "user_id": np.where(cust["user_id"][owner] > 0, cust["user_id"][owner], refs.default_user_id),
            "team_id": cust["team_id"][owner],
            "rate_idx": np.concatenate([self.inv_rate, self.cn_rate]),
            "qty": np.concatenate([inv["qty"], np.ones(n_cn, dtype=np.int64)]),
            "price": np.concatenate([inv["price"], cn["amount"]]),
            "amt_cur": np.concatenate([inv["amount"], cn["amount"]]),
            "amt_comp": np.concatenate([self.inv_comp, self.cn_comp]),
            "res_cur": np.concatenate([self.inv_res_cur, np.where(cn_rec, 0, cn["amount"])]),
            "res_comp": np.concatenate([self.inv_res_comp, np.where(cn_rec, 0, self.cn_comp)]),
            "state": np.concatenate([self.inv_state, np.where(cn_rec, PAID, NOT_PAID)]),
            "prefix_idx": np.concatenate([self.inv_prefix, self.cn_prefix]),
            "seq": np.concatenate([self.inv_seq, self.cn_seq]),
            "full_id": np.concatenate([self.inv_full, np.where(cn_rec, self.inv_full[cn_inv], 0)]),
            "match": np.concatenate([self.inv_match, np.where(cn_rec, self.inv_match[cn_inv], 0)]),
        }
        constants = self._constants() | {
            "journal": refs.sale_journal_id,
            "invoice_bank": refs.invoice_bank_id,
            "rates": self.rate_values,
            "income_account": refs.income_account_id,
            "product": refs.product_id,
            "uom": refs.product_uom_id,
            "product_name": refs.product_name,
        }
        _execute_chunks(self.cr, DOCUMENT_SQL, arrays, constants, size=CHUNK // 2)

    def _write_payments(self):
        inv, onacc, refs = self.inv, self.onacc, self.refs
        owner = np.concatenate([inv["owner"][self.pay_inv], onacc["owner"]])
        # A payment is 'paid' once every invoice it is linked to is paid (Community: no 'in_payment').
        state = np.concatenate(
            [
                np.where(self.inv_state[self.pay_inv] == PAID, PAID, IN_PROCESS),
                np.full(onacc["day"].size, IN_PROCESS),
            ]
        )
        arrays = {
            "id": np.concatenate([self.pay_id, self.oa_id]),
            "move_id": np.concatenate([self.pay_move, self.oa_move]),
            "line_id": np.concatenate([self.pay_line, self.oa_line]),
            "partner_id": self.partner_id[owner],
            "day": np.concatenate([self.pay_day, onacc["day"]]),
            "is_foreign": self.cust["foreign"][owner],
            "amt_cur": np.concatenate([self.pay_cur, onacc["amount"]]),
            "amt_comp": np.concatenate([self.pay_comp, self.oa_comp]),
            "invoice_id": np.concatenate(
                [self.inv_move[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]
            ),
            "state": state,
            "prefix_idx": np.concatenate([self.pay_prefix, self.oa_prefix]),
            "seq": np.concatenate([self.pay_seq, self.oa_seq]),
            "full_id": np.concatenate([self.inv_full[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
            "match": np.concatenate([self.inv_match[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
            # The memo is the paid invoice's name, rebuilt from its prefix and number.
            "inv_prefix_idx": np.concatenate(
                [self.inv_prefix[self.pay_inv], np.ones(onacc["day"].size, np.int64)]
            ),
            "inv_seq": np.concatenate([self.inv_seq[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
        }
        constants = self._constants() | {
            "journal": refs.bank_journal_id,
            "partner_bank": refs.partner_bank_id,
            "method_line": refs.payment_method_line_id,
            "method": refs.payment_method_id,
            "method_name": refs.payment_method_name,
            "outstanding_account": refs.outstanding_account_id,
        }
        _execute_chunks(self.cr, PAYMENT_SQL, arrays, constants, size=CHUNK // 2)

    def _write_partials(self):
        inv, cn = self.inv, self.cn
        rec = np.flatnonzero(cn["reconciled"])
        pinv = self.partial_inv
        arrays = {
            "id": self.partial_id,
            "debit_line": self.inv_line[pinv] + 1,  # the invoice's payment-term line
            "credit_line": np.concatenate([self.cn_line[rec] + 1, self.pay_line + 1]),
            "full_id": self.inv_full[pinv],
            "currency_id": np.where(
                inv["foreign"][pinv], self.refs.foreign_currency_id, self.refs.company_currency_id
            ),
            "day": np.concatenate([cn["day"][rec], self.pay_day]),
            "amt_comp": np.concatenate([cn["amount"][rec], self.pay_comp]),
            "amt_cur": np.concatenate([cn["amount"][rec], self.pay_cur]),
        }
        _execute_chunks(self.cr, PARTIAL_SQL, arrays, self._constants())

    def move_count(self):
        return int(self.inv_move.size + self.cn_move.size + self.pay_move.size + self.oa_move.size)

    def id_blocks(self):
        """{table: (id column, first id, last id, rows)} of the rows written (see _check_references)."""

        def block(values, per_row=1):
            values = np.asarray(values)
            if not values.size:
                return ("id", 0, -1, 0)
            return ("id", int(values.min()), int(values.max()) + per_row - 1, values.size * per_row)

        payments = block(np.concatenate([self.pay_id, self.oa_id]))
        return {
            "res_partner": block(self.partner_id),
            "account_move": block(np.concatenate([self.inv_move, self.cn_move, self.pay_move, self.oa_move])),
            "account_move_line": block(
                np.concatenate([self.inv_line, self.cn_line, self.pay_line, self.oa_line]), per_row=2
            ),
            "account_payment": payments,
            "account_move__account_payment": ("payment_id", *payments[1:3], int(self.pay_id.size)),
            "account_partial_reconcile": block(self.partial_id),
            "account_full_reconcile": (
                "id",
                int(self.full_base),
                int(self.full_base + self.full_count - 1),
                int(self.full_count),
            ),
        }

    # -- summary ------------------------------------------------------------------------------------------

    def stats(self):
        counts = np.bincount(self.cust["prof"], minlength=len(PROFILES))
        return {
            "customers": int(self.cust["prof"].size),
            "invoices": int(self.inv["date"].size),
            "credit_notes": int(self.cn["day"].size),
            "payments": int(self.pay_day.size + self.onacc["day"].size),
            "partial_reconciles": int(self.partial_id.size),
            "full_reconciles": int(self.full_count),
            "invoices_paid": int((self.inv_state == PAID).sum()),
            "invoices_partial": int((self.inv_state == PARTIAL).sum()),
            "invoices_open": int((self.inv_state == NOT_PAID).sum()),
            "foreign_customers": int(self.cust["foreign"].sum()),
            "profiles": {name: int(c) for name, c in zip(PROFILES, counts, strict=True)},
        }
