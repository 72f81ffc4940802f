"""Every state change of dossiers: one audited function each, called by web, API, CLI and tasks."""
