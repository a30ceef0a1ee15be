"""Dates as day numbers (days since 1970-01-01): the plan's numpy arrays hold days, not dates."""

import datetime

EPOCH = datetime.date(1970, 1, 1)


def _to_day(d):
    return (d - EPOCH).days


def _to_date(day):
    return EPOCH + datetime.timedelta(days=int(day))
