"""Currency rates through the ORM (a few dozen rows and lookups, one per distinct day) and Odoo's rounding
of converted amounts."""

import datetime

import numpy as np

from odoo.tools.float_utils import float_invert

from .days import _to_date, _to_day


def _ensure_monthly_rates(env, company, currency, start_day, end_day, rng):
    """One rate per month over the period (a mild random walk), keeping any rate already there."""
    first = _to_date(start_day).replace(day=1)
    months = []
    while first <= _to_date(end_day):
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    base = 0.92 if currency.name == "EUR" else 1.08
    walk = base * np.exp(np.cumsum(rng.normal(0.0, 0.012, len(months))))
    rates = env["res.currency.rate"]
    existing = set(
        rates.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "=", company.root_id.id),
                ("name", "in", months),
            ]
        ).mapped("name")
    )
    rates.create(
        [
            {
                "currency_id": currency.id,
                "company_id": company.root_id.id,
                "name": month,
                "rate": round(rate, 6),
            }
            for month, rate in zip(months, walk.tolist(), strict=True)
            if month not in existing
        ]
    )


def _rates_by_day(env, company, currency, days):
    """ORM conversion rates (company->foreign for invoices, foreign->company for payments) for `days`.

    Rates are piecewise constant between rate dates, so the ORM is asked once per rate date in the range
    (a few dozen calls) and the answers are spread over the days with searchsorted.
    """
    if not days.size:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    env.cr.execute(
        "SELECT DISTINCT name FROM res_currency_rate WHERE currency_id IN %s AND name > %s AND name <= %s",
        (tuple({currency.id, company.currency_id.id}), _to_date(days.min()), _to_date(days.max())),
    )
    starts = np.unique(np.array([days.min()] + [_to_day(d) for (d,) in env.cr.fetchall()], dtype=np.int64))
    res_currency = env["res.currency"]
    to_foreign = np.array(
        [
            res_currency._get_conversion_rate(company.currency_id, currency, company, _to_date(d))
            for d in starts
        ]
    )
    to_company = np.array(
        [
            res_currency._get_conversion_rate(currency, company.currency_id, company, _to_date(d))
            for d in starts
        ]
    )
    return starts, to_foreign, to_company


def _round_cents(values):
    """Odoo's ``float_round(value, precision_rounding=0.01)`` on a float array, as integer cents.

    Reproduced rather than approximated (normalise, add the 2**-50 relative epsilon, round half-even) so that
    converted amounts are bit-for-bit what ``currency.round()`` gives.
    """
    normalized = values * float_invert(0.01)
    with np.errstate(divide="ignore"):
        epsilon = np.exp2(np.log2(np.abs(normalized)) - 50)
    return np.rint(normalized + np.copysign(epsilon, normalized)).astype(np.int64)
