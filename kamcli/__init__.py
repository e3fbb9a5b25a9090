"""The suite's console script `kam`: plugin listing, explanation and what-if runs."""
