"""Drills, trainings and team meetings (SPEC §9)."""
