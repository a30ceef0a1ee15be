from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..report.credit_grade_migration_report import DATE_FROM_KEY, DATE_TO_KEY


class CreditGradeMigrationWizard(models.TransientModel):
    """Asks for a period and opens the grade migration matrix: grade at its start against grade at its end."""

    _name = "credit.grade.migration.wizard"
    _description = "Credit Grade Migration Period"

    date_from = fields.Date("Start Date", required=True, default=lambda self: self._default_dates()[0])
    date_to = fields.Date("End Date", required=True, default=lambda self: self._default_dates()[1])

    @api.model
    def _default_dates(self):
        return self.env["credit.grade.migration.report"]._default_period()

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from >= wizard.date_to:
                raise ValidationError(
                    _(
                        "%(start)s (%(date_from)s) must be before %(end)s (%(date_to)s): "
                        "choose an earlier start or a later end.",
                        start=self._fields["date_from"].string,
                        end=self._fields["date_to"].string,
                        date_from=wizard.date_from,
                        date_to=wizard.date_to,
                    )
                )

    def action_open_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_grade_migration_report"
        )
        action["name"] = _(
            "Grade Migration %(date_from)s → %(date_to)s",
            date_from=fields.Date.to_string(self.date_from),
            date_to=fields.Date.to_string(self.date_to),
        )
        action["context"] = {
            DATE_FROM_KEY: fields.Date.to_string(self.date_from),
            DATE_TO_KEY: fields.Date.to_string(self.date_to),
        }
        return action
