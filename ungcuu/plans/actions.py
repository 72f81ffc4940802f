"""Every state change of plans: one audited function each, called by web, API, CLI and tasks."""
