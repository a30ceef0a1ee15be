from odoo.tools import SQL

from .models.credit_exposure import CUSTOMER_FUNCTION
from .models.sale_order import OPEN_ORDERS_INDEX
from .report.credit_aging_report import DUE_INDEX, PARTNER_INDEX, RECONCILE_INDEX


def uninstall_hook(env):
    """Drop the indexes the addon put on core tables and its database function: Odoo drops the addon's
    tables and columns, and the indexes on them, but does not know about these."""
    for name in (DUE_INDEX, PARTNER_INDEX, RECONCILE_INDEX, OPEN_ORDERS_INDEX):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL.identifier(CUSTOMER_FUNCTION)))
