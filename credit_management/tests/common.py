import os
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class CreditCommon(TransactionCase):
    """Customers with real invoices, payments and credit notes, made through the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tz = os.environ.get("CREDIT_TEST_TZ")  # a trap-date run in a user time zone (scripts/test.sh)
        if tz:
            cls.env.user.tz = tz
            cls.env = cls.env(context=dict(cls.env.context, tz=tz))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.policy = cls.env["credit.policy"]._for_company(cls.company)
        cls.grades = {
            g.code: g for g in cls.env["credit.grade"].search([("company_id", "=", cls.company.id)])
        }
        cls.product = cls.env["product.product"].create(
            {
                "name": "Credit test product",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "invoice_policy": "order",
            }
        )
        cls.controller = new_test_user(
            cls.env,
            login="credit_controller",
            name="Carla Controller",
            groups="base.group_user,sales_team.group_sale_salesman,credit_management.group_credit_controller",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="credit_salesman",
            name="Sam Salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.policy.controller_user_id = cls.controller
        cls.engine = cls.env["credit.scoring.engine"]

    # ------------------------------------------------------------------
    # Builders
    # ------------------------------------------------------------------
    @classmethod
    def customer(cls, name, **vals):
        return cls.env["res.partner"].create({"name": name, "is_company": True, "customer_rank": 1, **vals})

    @classmethod
    def days(cls, n):
        return cls.today + timedelta(days=n)

    @classmethod
    def invoice(
        cls,
        partner,
        amount,
        invoice_days=-60,
        due_days=30,
        currency=None,
        move_type="out_invoice",
        post=True,
        company=None,
    ):
        """An invoice dated ``invoice_days`` from today, due ``due_days`` after its date."""
        company = company or cls.company
        date = cls.days(invoice_days)
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "date": date,
                    "invoice_date_due": date + timedelta(days=due_days),
                    "invoice_payment_term_id": False,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def refund(cls, partner, amount, invoice_days=-30, **kwargs):
        return cls.invoice(
            partner, amount, invoice_days=invoice_days, due_days=0, move_type="out_refund", **kwargs
        )

    @classmethod
    def pay(cls, invoice, pay_days, amount=None):
        """Register a payment ``pay_days`` from today (default: the open amount)."""
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": cls.days(pay_days)})
        )
        if amount is not None:
            wizard.write({"amount": amount, "payment_difference_handling": "open"})
        return wizard._create_payments()

    @classmethod
    def paid_invoice(cls, partner, amount, invoice_days, days_late, due_days=30):
        """An invoice paid ``days_late`` after its due date (negative: early)."""
        move = cls.invoice(partner, amount, invoice_days=invoice_days, due_days=due_days)
        cls.pay(move, invoice_days + due_days + days_late)
        return move

    @classmethod
    def order(cls, partner, amount, user=None, currency=None, company=None):
        """A quotation of ``amount`` (tax excluded, no tax) made by ``user`` (default: the salesman)."""
        company = company or cls.company
        user = user or cls.salesman
        values = {
            "partner_id": partner.id,
            "user_id": user.id,
            "company_id": company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        if currency:
            pricelist = cls.env["product.pricelist"].create(
                {"name": currency.name, "currency_id": currency.id}
            )
            values["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].with_user(user).with_company(company).create(values)

    @classmethod
    def graded_customer(cls, name, grade_code, limit, **vals):
        """A customer with a manual limit in the given grade, as a controller would set them."""
        partner = cls.customer(name, **vals)
        partner.write(
            {"credit_grade_id": cls.grades[grade_code].id, "credit_limit": limit, "credit_limit_manual": True}
        )
        return partner

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def rescore(self, *partners, company=None, trigger="manual"):
        partners = self.env["res.partner"].concat(*partners)
        return self.engine._rescore(company or self.company, partners.ids, trigger)

    def last_history(self, partner, company=None):
        return self.env["credit.score.history"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", (company or self.company).id)], limit=1
        )

    def alerts(self, partner, kind=None):
        domain = [
            ("res_model", "=", "res.partner"),
            ("res_id", "=", partner.id),
            ("credit_alert_kind", "!=", False),
        ]
        if kind:
            domain.append(("credit_alert_kind", "=", kind))
        return self.env["mail.activity"].search(domain)
