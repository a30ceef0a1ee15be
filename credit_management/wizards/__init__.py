from . import credit_hold_wizard
from . import credit_aging_wizard
from . import credit_grade_migration_wizard
