"""Reports by e-mail: IMAP fetch, SMTP receiver and .eml upload of "[TBSC]" messages (SPEC §3)."""
