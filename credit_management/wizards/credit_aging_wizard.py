from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import date_utils

from ..report.credit_aging_report import AS_OF_CONTEXT_KEY


class CreditAgingWizard(models.TransientModel):
    """Asks for a past date and opens the receivable aging as it stood at the end of that day."""

    _name = "credit.aging.wizard"
    _description = "Receivable Aging as of a Date"

    date = fields.Date(
        "As of",
        required=True,
        default=lambda self: self._default_date(),
        help="Aging at the end of this day, from the posting and reconciliation dates of the entries.",
    )

    @api.model
    def _default_date(self):
        """The last month end: what accountants reproduce most often."""
        today = fields.Date.context_today(self)
        return date_utils.end_of(today - relativedelta(months=1), "month")

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.date > today:
                raise ValidationError(
                    _(
                        "%(field)s: %(date)s is in the future. Choose today or an earlier date.",
                        field=self._fields["date"].string,
                        date=wizard.date,
                    )
                )

    def action_open_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_aging_report")
        action["name"] = _("Receivable Aging as of %s", fields.Date.to_string(self.date))
        action["context"] = {
            AS_OF_CONTEXT_KEY: fields.Date.to_string(self.date),
            "search_default_group_by_partner": 1,
        }
        return action
