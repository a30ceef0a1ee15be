from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

CONTROLLER = "credit_management.group_credit_controller"


class CreditBureauMatchWizard(models.TransientModel):
    """A controller picks which of the companies a bureau found is the customer; the choice is remembered
    (the request, then every later report, uses that company without searching again)."""

    _name = "credit.bureau.match.wizard"
    _description = "Pick the Company at the Credit Bureau"

    request_id = fields.Many2one("credit.bureau.request", required=True, readonly=True)
    partner_id = fields.Many2one(related="request_id.partner_id")
    line_ids = fields.One2many("credit.bureau.match.wizard.line", "wizard_id", string="Companies found")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        request = self.env["credit.bureau.request"].browse(self.env.context.get("active_id"))
        if request:
            values["request_id"] = request.id
            values["line_ids"] = [
                fields.Command.create({key: str(candidate.get(key) or "") for key in MATCH_FIELDS})
                for candidate in request.candidates or []
            ]
        return values

    def action_confirm(self):
        self.ensure_one()
        self._check_controller()
        chosen = self.line_ids.filtered("chosen")
        if len(chosen) != 1:
            raise UserError(_("Tick exactly one company in Companies found, or use None of these."))
        found = {candidate.get("ref") for candidate in self.request_id.sudo().candidates or []}
        if chosen.ref not in found:
            raise UserError(
                _("%s is not one of the companies the bureau found; pick one of the list.", chosen.ref)
            )
        self.request_id.sudo()._match(chosen.ref)
        return {"type": "ir.actions.act_window_close"}

    def action_none(self):
        self.ensure_one()
        self._check_controller()
        self.request_id.sudo().write(
            {
                "state": "not_found",
                "candidates": False,
                "error": _("None of the companies found is this customer."),
            }
        )
        return {"type": "ir.actions.act_window_close"}

    def _check_controller(self):
        if not self.env.user.has_group(CONTROLLER):
            raise AccessError(_("Only credit controllers match customers with a credit bureau's companies."))
        self.request_id.check_access("read")  # another company's request stays out of reach


MATCH_FIELDS = ("ref", "name", "country", "registry", "vat", "address", "status")


class CreditBureauMatchWizardLine(models.TransientModel):
    _name = "credit.bureau.match.wizard.line"
    _description = "Company Found at the Credit Bureau"

    wizard_id = fields.Many2one("credit.bureau.match.wizard", required=True, ondelete="cascade")
    chosen = fields.Boolean("This One")
    ref = fields.Char("Bureau Reference", readonly=True)
    name = fields.Char(readonly=True)
    country = fields.Char(readonly=True)
    registry = fields.Char("Registration No.", readonly=True)
    vat = fields.Char("VAT", readonly=True)
    address = fields.Char(readonly=True)
    status = fields.Char(readonly=True)
