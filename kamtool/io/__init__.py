"""Reading order exports into canonical order lines (the only code that sees a user's headers)."""
