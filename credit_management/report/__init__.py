from . import credit_aging_report
from . import credit_grade_distribution_report
from . import credit_grade_migration_report
from . import credit_review_report
from . import credit_customer_statement
from . import credit_collection_worklist
