from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import dunning
from ..rules import _lt

# The plans a company starts with: gentle for the good grades, earlier and firmer for the weak ones.
COURTESY, REMINDER, FINAL = (
    "credit_management.mail_template_collection_courtesy",
    "credit_management.mail_template_collection_reminder",
    "credit_management.mail_template_collection_final",
)
DEFAULT_PLANS = [
    {
        "name": _lt("Gentle reminders"),
        "grades": ("A", "B", "C"),
        "levels": [
            {"name": _lt("Courtesy note"), "days": -3, "template": COURTESY},
            {"name": _lt("First reminder"), "days": 7, "template": REMINDER},
            {
                "name": _lt("Second reminder"),
                "days": 21,
                "template": REMINDER,
                "channel_activity": True,
                "note": "Call the customer about the overdue items.",
            },
        ],
    },
    {
        "name": _lt("Firm reminders"),
        "grades": ("D", "E"),
        "levels": [
            {"name": _lt("Courtesy note"), "days": -5, "template": COURTESY},
            {"name": _lt("Reminder"), "days": 1, "template": REMINDER},
            {
                "name": _lt("Firm reminder"),
                "days": 10,
                "template": REMINDER,
                "channel_activity": True,
                "note": "Call the customer and ask for a payment date.",
            },
            {
                "name": _lt("Final notice"),
                "days": 30,
                "template": FINAL,
                "channel_activity": True,
                "channel_letter": True,
                "place_hold": True,
                "note": "The customer is on credit hold until the overdue items are paid.",
            },
        ],
    },
]


class CreditCollectionPlan(models.Model):
    """The reminders a grade's customers get as their oldest item ages: levels, by days from its due date."""

    _name = "credit.collection.plan"
    _description = "Collection Plan"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    level_ids = fields.One2many("credit.collection.level", "plan_id", "Levels", copy=True)
    grade_ids = fields.One2many("credit.grade", "collection_plan_id", "Grades")

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("level_ids")
    def _check_level_days(self):
        for plan in self:
            problem = dunning.check_levels(plan._levels().mapped("days"))
            if problem:
                raise ValidationError(
                    _(
                        "Plan %(plan)s: the levels' Days must grow from one level to the next, in the "
                        "levels' order (%(problem)s). Change the Days or reorder the levels.",
                        plan=plan.name,
                        problem=problem,
                    )
                )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _levels(self):
        """The levels in the order they are reached."""
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.sequence, level.days, level.id))

    @api.model
    def _create_defaults(self, company, grades):
        """The default plans of a company, each given to its grades."""
        for values in DEFAULT_PLANS:
            plan = self.sudo().create(
                {
                    "name": values["name"],
                    "company_id": company.id,
                    "level_ids": [
                        fields.Command.create(self._prepare_default_level(level, sequence))
                        for sequence, level in enumerate(values["levels"], start=1)
                    ],
                }
            )
            grades.filtered(lambda g, codes=values["grades"]: g.code in codes).write(
                {"collection_plan_id": plan.id}
            )

    @api.model
    def _default_names(self):
        """The English names of the default plans and of their levels."""
        return {
            "plans": {values["name"] for values in DEFAULT_PLANS},
            "levels": {level["name"] for values in DEFAULT_PLANS for level in values["levels"]},
        }

    @api.model
    def _prepare_default_level(self, values, sequence):
        values = dict(values, sequence=10 * sequence)
        template = self.env.ref(values.pop("template"), raise_if_not_found=False)
        values["mail_template_id"] = template.id if template else False
        return values
