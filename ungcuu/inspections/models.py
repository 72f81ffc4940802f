"""Inspections, vulnerability scans and threat hunts due per system and organisation by security level (SPEC §9)."""
