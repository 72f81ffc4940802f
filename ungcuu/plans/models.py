"""Response plans with scenarios per information system, and the team's annual plan (SPEC §9)."""
