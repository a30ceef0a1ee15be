import math

from odoo import api, models
from odoo.exceptions import ValidationError

NUMBER_TYPES = ("float", "monetary", "integer")


def check_numbers(model, vals, fnames=None):
    """Refuse a value a number field cannot hold: not a number ("abc"), or not finite (NaN, ±Infinity,
    which JSON-RPC and XML-RPC both carry). Checked before the ORM converts the values, where they
    would otherwise surface as a ValueError or an OverflowError in the server log."""
    for fname, value in vals.items():
        field = model._fields.get(fname)
        if not field or field.type not in NUMBER_TYPES or (fnames is not None and fname not in fnames):
            continue
        if value is False or value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool):
            raise ValidationError(
                model.env._(
                    "%(field)s must be a number (got %(value)s).",
                    field=field._description_string(model.env),
                    value=value,
                )
            )
        if not math.isfinite(number):
            raise ValidationError(
                model.env._(
                    "%(field)s must be a finite number (got %(value)s): enter an amount or a figure.",
                    field=field._description_string(model.env),
                    value=value,
                )
            )
        # Odoo reads an integer given as text with int(), which refuses "12.0" as it refuses "12.5"
        if field.type == "integer" and not (number.is_integer() and _reads_as_int(value)):
            raise ValidationError(
                model.env._(
                    "%(field)s must be a whole number (got %(value)s).",
                    field=field._description_string(model.env),
                    value=value,
                )
            )


def _reads_as_int(value):
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


class CreditNumberMixin(models.AbstractModel):
    """Every number field of the addon's models refuses what is not a finite number."""

    _name = "credit.number.mixin"
    _description = "Credit Number Checks"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_numbers(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, vals)
        return super().write(vals)
