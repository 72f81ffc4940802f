"""Pages of inspections."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template inspections/_incident_panel.html)."""
    return {}
