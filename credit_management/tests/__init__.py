from . import (
    test_credit_events,
    test_credit_factors,
    test_credit_multicompany,
    test_credit_policy,
    test_credit_rights,
    test_credit_validation,
    test_install,
    test_rules,
    test_sale_credit_check,
    test_sale_credit_concurrency,
    test_sale_credit_tour,
    test_scoring,
)
