from . import credit_aging_wizard
from . import credit_bureau_match_wizard
from . import credit_approval_reject_wizard
from . import credit_grade_migration_wizard
from . import credit_hold_wizard
from . import credit_override_wizard
from . import credit_growth_wizard
