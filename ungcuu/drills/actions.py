"""Every state change of drills: one audited function each, called by web, API, CLI and tasks."""
