from . import credit_aging_report  # noqa: F401
from . import credit_grade_distribution_report  # noqa: F401
from . import credit_grade_migration_report  # noqa: F401
from . import credit_review_report  # noqa: F401
