from odoo import fields, models

from .. import scoring


class CreditScorecardLine(models.Model):
    """One factor of a scorecard: what it sets on the policy's factor line when activated."""

    _name = "credit.scorecard.line"
    _description = "Credit Scorecard Factor"
    _order = "scorecard_id, weight desc, id"

    scorecard_id = fields.Many2one("credit.scorecard", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True)
    factor = fields.Selection(
        [(name, scoring.FACTOR_LABELS[name]) for name in scoring.FACTORS], required=True, readonly=True
    )
    weight = fields.Float(digits=(5, 2), readonly=True, help="Share of the scorecard's points, in percent.")
    breakpoints = fields.Char(readonly=True, help="Value:sub-score pairs, as on the policy's factor lines.")
    bins = fields.Text(
        readonly=True, help="The bins the points were learned from: values, samples, late share."
    )

    _sql_constraints = [
        ("factor_uniq", "unique(scorecard_id, factor)", "Each factor appears once per scorecard."),
    ]

    def _to_factors(self):
        return tuple(
            scoring.Factor(line.factor, line.weight, scoring.parse_points(line.breakpoints, line.factor))
            for line in self
        )
