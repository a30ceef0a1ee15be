from odoo import fields
from odoo.tools import SQL


def user_tz(record):
    """Name of the time zone the user reads dates in (UTC when unset or unknown).

    Month ends and day ends of the grade reports are the user's, as in Odoo's date grouping:
    a rescoring at 00:30 on the 1st, local time, belongs to the new month.
    """
    return fields.Datetime.context_timestamp(record, fields.Datetime.now()).tzinfo.zone


def day_start_utc(day, tz):
    """SQL: the start of local ``day`` in ``tz`` as a naive UTC timestamp, like stored datetimes."""
    return SQL("(%s::date::timestamp AT TIME ZONE %s) AT TIME ZONE 'UTC'", day, tz)


def day_end_utc(day, tz):
    """SQL: the end of local ``day`` in ``tz`` as a naive UTC timestamp, like stored datetimes."""
    return SQL("((%s::date + 1)::timestamp AT TIME ZONE %s) AT TIME ZONE 'UTC'", day, tz)
