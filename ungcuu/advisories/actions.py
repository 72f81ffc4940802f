"""Every state change of advisories: one audited function each, called by web, API, CLI and tasks."""
