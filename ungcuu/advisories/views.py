"""Pages of advisories."""


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template advisories/_incident_panel.html)."""
    return {}
