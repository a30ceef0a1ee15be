{
    "name": "Credit Management",
    "summary": "Dynamic customer credit: scoring, grades, limits, terms and "
    "credit control at sale order confirmation",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "depends": ["sale_management", "account", "mail"],
    "external_dependencies": {"python": ["numpy", "requests"]},
    "data": [
        "security/credit_management_groups.xml",
    ],
    "installable": True,
    "application": True,
}
