from . import credit_approval_reject_wizard, credit_hold_wizard, credit_override_wizard
