"""Every state change of alerts: one audited function each, called by web, API, CLI and tasks."""
