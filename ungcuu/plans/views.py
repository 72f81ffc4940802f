"""Pages of plans."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template plans/_incident_panel.html)."""
    return {}
