"""Every state change of inspections: one audited function each, called by web, API, CLI and tasks."""
