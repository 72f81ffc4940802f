"""Pages of dossiers."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template dossiers/_incident_panel.html)."""
    return {}
