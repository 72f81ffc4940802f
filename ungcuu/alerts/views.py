"""Pages of alerts."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template alerts/_incident_panel.html)."""
    return {}
