"""Every state change of mailintake: one audited function each, called by web, API, CLI and tasks."""
