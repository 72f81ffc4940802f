"""Warnings about vulnerabilities and threats sent to agencies, acknowledged and remediated per system (SPEC §9)."""
