"""财政预决算, by concern: tables (one CSV read, typed and summed), checks (a
document's tables together), views (what the page shows), xlsx (the Excel copy)."""
from gongkai.core.budget.checks import (
           check_budgets,
           check_required,
           document_problems,
           load,
)
from gongkai.core.budget.tables import (
           NUMERIC_ROLES,
           Cell,
           Row,
           Table,
           column_roles,
           money,
           read_table,
)
from gongkai.core.budget.views import (
           BudgetPage,
           TableView,
           facts,
           page_view,
           table_views,
           year_index,
           year_on_year,
)
from gongkai.core.budget.xlsx import write_xlsx

__all__ = ["check_budgets", "check_required", "document_problems", "load", "NUMERIC_ROLES", "Cell", "Row",
           "Table", "column_roles", "money", "read_table", "BudgetPage", "TableView", "facts", "page_view",
           "table_views", "year_index", "year_on_year", "write_xlsx"]
