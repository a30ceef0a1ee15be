"""Reference data: the few records the plan refers to, found or created through the ORM."""

from dataclasses import dataclass

import numpy as np

from odoo import Command

# Share of customers per simple payment term ("N days"), by number of days.
TERM_WEIGHTS = {0: 0.10, 15: 0.20, 21: 0.10, 30: 0.40, 45: 0.20}
SALESPEOPLE = ("Alice Carter", "Bruno Diaz", "Chloe Nguyen", "Daniel Okafor")


@dataclass
class Refs:
    company_id: int
    company_currency_id: int
    foreign_currency_id: int
    country_id: int | None
    lang: str
    sale_journal_id: int
    bank_journal_id: int
    receivable_account_id: int
    income_account_id: int
    outstanding_account_id: int
    payment_method_line_id: int
    payment_method_id: int
    payment_method_name: str
    partner_bank_id: int | None  # on payments: the bank journal's account
    invoice_bank_id: int | None  # on customer invoices: the company's bank account, if any
    product_id: int
    product_uom_id: int
    product_name: str
    term_ids: np.ndarray  # account.payment.term ids of the simple "N days" terms
    term_days: np.ndarray
    term_weights: np.ndarray
    default_user_id: int
    default_team_id: int
    salesperson_ids: np.ndarray
    salesperson_team_ids: np.ndarray


def _prepare_refs(env, company):
    """Find or create the few records the plan refers to, through the ORM."""
    if (company.fiscalyear_last_month, company.fiscalyear_last_day) != ("12", 31):
        raise ValueError("seed only supports calendar fiscal years (sequence prefixes per calendar year)")
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    sale = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    if not sale or not bank:
        raise ValueError(f"company {company.name!r} needs a sale and a bank journal")
    method_line = bank.inbound_payment_method_line_ids[:1]
    outstanding = method_line.payment_account_id or env["account.payment"].new(
        {"company_id": company.id, "journal_id": bank.id, "payment_type": "inbound"}
    )._get_outstanding_account("inbound")
    probe = env["res.partner"].with_company(company).new({"name": "probe", "is_company": True})
    product = _ensure_product(env)
    income = product.product_tmpl_id.with_company(company).get_product_accounts()["income"]
    term_ids, term_days = _simple_terms(env, company)
    foreign = env.ref("base.EUR") if company.currency_id != env.ref("base.EUR") else env.ref("base.USD")
    if not foreign.active:
        foreign.active = True
    users = _ensure_salespeople(env, company)
    teams = [_default_team(env, company, uid) for uid in users.ids]
    weights = np.array([TERM_WEIGHTS.get(int(d), 0.1) for d in term_days])
    return Refs(
        company_id=company.id,
        company_currency_id=company.currency_id.id,
        foreign_currency_id=foreign.id,
        country_id=company.country_id.id or None,
        lang=probe.lang or "en_US",
        sale_journal_id=sale.id,
        bank_journal_id=bank.id,
        receivable_account_id=probe.property_account_receivable_id.id,
        income_account_id=(income or sale.default_account_id).id,
        outstanding_account_id=outstanding.id,
        payment_method_line_id=method_line.id,
        payment_method_id=method_line.payment_method_id.id,
        payment_method_name=method_line.name,
        partner_bank_id=bank.bank_account_id.id or None,
        invoice_bank_id=env["account.move"]
        .new({"move_type": "out_invoice", "journal_id": sale.id, "company_id": company.id})
        .partner_bank_id.id
        or None,
        product_id=product.id,
        product_uom_id=product.uom_id.id,
        product_name=product.display_name,
        term_ids=np.array(term_ids, dtype=np.int32),
        term_days=np.array(term_days, dtype=np.int32),
        term_weights=weights / weights.sum(),
        default_user_id=env.uid,
        default_team_id=_default_team(env, company, env.uid),
        salesperson_ids=np.array(users.ids, dtype=np.int32),
        salesperson_team_ids=np.array(teams, dtype=np.int32),
    )


def _ensure_product(env):
    product = env.ref("__seed__.product_services", raise_if_not_found=False)
    if not product:
        product = env["product.product"].create(
            {
                "name": "Professional Services",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        env["ir.model.data"]._update_xmlids([{"xml_id": "__seed__.product_services", "record": product}])
    return product


def _simple_terms(env, company):
    """The payment terms whose due date is simply invoice date + N days (single 100% line, no discount)."""
    terms = env["account.payment.term"].search([("company_id", "in", [False, company.id])], order="id")
    simple = [
        (term.id, term.line_ids.nb_days)
        for term in terms
        if len(term.line_ids) == 1
        and not term.early_discount
        and term.line_ids.value == "percent"
        and term.line_ids.value_amount == 100
        and term.line_ids.delay_type == "days_after"
    ]
    if not simple:
        raise ValueError("no 'N days' payment term found (expected e.g. '30 Days')")
    return [t for t, _ in simple], [d for _, d in simple]


def _ensure_salespeople(env, company):
    users = env["res.users"].with_context(active_test=False)
    group = env.ref("sales_team.group_sale_salesman")
    result = users.browse()
    for i, name in enumerate(SALESPEOPLE, 1):
        login = f"seed.salesperson{i}"
        user = users.search([("login", "=", login)], limit=1)
        if not user:
            user = users.with_context(no_reset_password=True).create(
                {
                    "name": name,
                    "login": login,
                    "email": f"{login}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.link(company.id)],
                    "groups_id": [Command.link(group.id)],
                }
            )
        result |= user
    return result


def _default_team(env, company, uid):
    team = env["crm.team"].with_context(allowed_company_ids=[company.id])._get_default_team_id(user_id=uid)
    return team.id or 0
