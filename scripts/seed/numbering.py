"""Ids, sequences, reconciliation numbering: ranks in numpy, id blocks and sequence prefixes from the
database."""

import datetime

import numpy as np

from odoo.tools import SQL


def _rank_order(*keys):
    """Rank (0..n-1) of each row when sorted by keys (last key primary, as np.lexsort)."""
    order = np.lexsort(keys)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def _group_rank(group_key, order_key):
    """1-based rank of each row within its group, ordered by order_key."""
    order = np.lexsort((order_key, group_key))
    sorted_keys = group_key[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if order.size else np.zeros(0, bool)
    first_pos = np.maximum.accumulate(np.where(starts, np.arange(order.size), 0))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - first_pos + 1
    return rank


def _year_of(days):
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class _Sequences:
    """Per (kind, year) prefix: the name prefix/width the ORM would use and the last number already taken."""

    def __init__(self, env, refs):
        self.env, self.refs = env, refs
        self.prefixes, self.widths, self.index = [], [], {}

    def number(self, kind, move_day, move_id):
        """Sequence number and prefix index (1-based, for a SQL array) of each move of one kind."""
        years = _year_of(move_day)
        seq = _group_rank(years, move_id)
        prefix_idx = np.empty(years.size, dtype=np.int64)
        for year in np.unique(years).tolist():
            idx, last = self._prefix(kind, year)
            in_year = years == year
            seq[in_year] += last
            prefix_idx[in_year] = idx
        return seq, prefix_idx

    def _prefix(self, kind, year):
        key = (kind, year)
        if key not in self.index:
            journal_id = self.refs.bank_journal_id if kind == "payment" else self.refs.sale_journal_id
            move = (
                self.env["account.move"]
                .with_context(is_payment=kind == "payment")
                .new(
                    {
                        "move_type": "entry" if kind == "payment" else kind,
                        "journal_id": journal_id,
                        "date": datetime.date(year, 1, 1),
                    }
                )
            )
            start = move._get_starting_sequence()  # e.g. 'INV/2025/00000'
            digits = len(start) - len(start.rstrip("0123456789"))
            prefix = start[: len(start) - digits]
            self.env.cr.execute(
                "SELECT COALESCE(max(sequence_number), 0) FROM account_move"
                " WHERE journal_id = %s AND sequence_prefix = %s",
                (journal_id, prefix),
            )
            self.prefixes.append(prefix)
            self.widths.append(digits)
            self.index[key] = (len(self.prefixes), self.env.cr.fetchone()[0])
        return self.index[key]


def _reserve_ids(cr, table, count):
    """Take a block of `count` ids from the table's sequence (setval past it); returns the first id."""
    cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
    seq = cr.fetchone()[0]
    cr.execute(
        SQL(
            "SELECT GREATEST(nextval(%s), (SELECT COALESCE(max(id), 0) + 1 FROM %s))",
            seq,
            SQL.identifier(table),
        )
    )
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", (seq, first + max(count, 1) - 1))
    return first
