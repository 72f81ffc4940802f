"""Pages of mailintake."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template mailintake/_incident_panel.html)."""
    return {}
