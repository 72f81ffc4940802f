"""Pages of drills."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template drills/_incident_panel.html)."""
    return {}
