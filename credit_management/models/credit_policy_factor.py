from odoo import api, fields, models

from .. import scoring


class CreditPolicyFactor(models.Model):
    _name = "credit.policy.factor"
    _inherit = ["credit.number.mixin"]
    _description = "Credit Scoring Factor"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("credit.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    factor = fields.Selection(
        [(name, scoring.FACTOR_LABELS[name]) for name in scoring.FACTORS], required=True
    )
    better_when = fields.Selection([("higher", "Higher"), ("lower", "Lower")], compute="_compute_better_when")
    weight = fields.Float(
        default=10.0, digits=(5, 2), help="Relative weight; weights need not add up to 100."
    )
    breakpoints = fields.Char(
        required=True,
        help="Value:sub-score pairs, e.g. '0:0; 0.5:30; 1:100'. Values in between are interpolated; "
        "sub-scores run from 0 (worst) to 100 (best).",
    )

    _sql_constraints = [
        ("factor_uniq", "unique(policy_id, factor)", "Each factor appears once per policy."),
    ]

    @api.depends("factor")
    def _compute_better_when(self):
        for line in self:
            line.better_when = "higher" if scoring.HIGHER_IS_BETTER.get(line.factor, True) else "lower"

    @api.constrains("weight", "breakpoints", "factor")
    def _check_factor(self):
        # A line edited on its own must still leave a valid policy (e.g. not all weights zero).
        self.policy_id._check_factors()

    def unlink(self):
        # Removing lines must leave each policy able to score, as editing them must.
        policies = self.policy_id
        result = super().unlink()
        policies.exists()._check_factors()
        return result

    def _to_factor(self):
        self.ensure_one()
        return scoring.Factor(
            name=self.factor,
            weight=self.weight,
            points=scoring.parse_points(self.breakpoints or "", factor=self.factor),
        )
