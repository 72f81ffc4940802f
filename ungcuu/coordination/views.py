def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs (templates/<app>/_incident_panel.html)."""
    return {}
