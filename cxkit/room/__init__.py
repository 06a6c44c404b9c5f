"""The workshop room: JupyterHub for a cohort, accounts from the roster, nbgrader's exchange."""
