"""The scoring factors of a customer, from the aggregates of their ledger: plain numpy, no Odoo import.

One definition for the daily rescoring (aggregates as of today) and the backtest (aggregates as of each
cutoff): both gather the same aggregates and call ``factor_values``.
"""

import numpy as np

DAYS_PER_MONTH = 365.25 / 12
# The late share trend compares the invoices settled in this many days before scoring with the earlier
# ones of the lookback.
RECENT_DAYS = 91


def factor_values(data, before, today):
    """{factor: (N,) values} of ``scoring.FACTORS``; NaN where the customer gives no evidence.

    ``data``: aggregates aligned with the customers (paid, paid_on_time, amount_days_late, settled,
    settled_late, settled_recent, settled_recent_late, receivable, overdue, exposure, max_days_overdue,
    open_invoiced, amount_days_overdue, first_invoice, volume_12m, invoiced, refunded, promises_decided,
    promises_broken, has_history);
    ``before``: their current credit_limit and credit_external_score; ``today``: one date, or one per
    customer (a backtest's cutoffs).
    """
    history = data["has_history"]
    paid = data["paid"]
    with np.errstate(divide="ignore", invalid="ignore"):
        receivable = data["receivable"]
        overdue_ratio = np.where(receivable > 0, data["overdue"] / receivable, 0.0)
        limit = before["credit_limit"]
        utilisation = np.where(limit > 0, np.maximum(data["exposure"], 0.0) / limit, np.nan)
        first = data["first_invoice"]
        # NaT minus a date casts to the smallest float, not to NaN: no first invoice is no evidence
        days = (np.asarray(today, dtype="datetime64[D]") - first).astype(float)
        tenure = np.where(np.isnat(first), np.nan, days / DAYS_PER_MONTH)
        recent, recent_late = data["settled_recent"], data["settled_recent_late"]
        earlier, earlier_late = data["settled"] - recent, data["settled_late"] - recent_late
        open_invoiced = data["open_invoiced"]
        return {
            "on_time_ratio": np.where(paid > 0, data["paid_on_time"] / paid, np.nan),
            "avg_dbt": np.where(paid > 0, data["amount_days_late"] / paid, np.nan),
            "late_share": np.where(data["settled"] > 0, data["settled_late"] / data["settled"], np.nan),
            # positive: a larger share of the recent invoices paid late than of the earlier ones
            "late_trend": np.where(
                (recent > 0) & (earlier > 0), recent_late / recent - earlier_late / earlier, np.nan
            ),
            "days_overdue": np.where(
                history,
                np.where(open_invoiced > 0, data["amount_days_overdue"] / open_invoiced, 0.0),
                np.nan,
            ),
            "overdue_ratio": np.where(history, np.clip(overdue_ratio, 0.0, None), np.nan),
            "max_days_overdue": np.where(history, data["max_days_overdue"], np.nan),
            "utilisation": np.where(history, utilisation, np.nan),
            "tenure_months": tenure,
            "volume_12m": np.where(history, data["volume_12m"], np.nan),
            "refund_ratio": np.where(data["invoiced"] > 0, data["refunded"] / data["invoiced"], np.nan),
            # broken or partly kept promises to pay; no evidence from a customer who never promised
            "broken_promises": np.where(data["promises_decided"] > 0, data["promises_broken"], np.nan),
            "external_score": before["credit_external_score"],
        }
