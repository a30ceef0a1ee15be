from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    # Lines changed on their own (not through their order's write, which checks once at its end) pass
    # the order's gate: a confirmed order grows only as far as credit allows.
    @api.model_create_multi
    def create(self, vals_list):
        gate = self.env["credit.check"]
        gate._check_computed_not_written(self, vals_list)
        orders = gate._confirmed_not_being_written(
            self.env["sale.order"].browse({vals["order_id"] for vals in vals_list if vals.get("order_id")})
        )
        before = gate._order_states(orders)
        lines = super().create(vals_list)
        gate._enforce(orders, before)
        return lines

    def write(self, vals):
        gate = self.env["credit.check"]
        gate._check_computed_not_written(self, [vals])
        orders = self.order_id
        if vals.get("order_id"):
            orders |= self.env["sale.order"].browse(vals["order_id"])
        orders = gate._confirmed_not_being_written(orders)
        before = gate._order_states(orders)
        result = super().write(vals)
        gate._enforce(orders, before)
        return result
