"""Demo data of plans, made through its actions; called by ungcuu.demo.load()."""


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    return 0
