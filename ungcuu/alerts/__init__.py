"""Monitoring alerts taken in bulk, de-duplicated and grouped into incidents (SPEC §3)."""
