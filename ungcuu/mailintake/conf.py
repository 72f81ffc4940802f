"""Settings of mail intake, read from Django settings when set there, else from the environment.

    MAIL_IMAP_HOST, MAIL_IMAP_PORT (993 with TLS "ssl", 143 otherwise), MAIL_IMAP_USER, MAIL_IMAP_PASSWORD,
    MAIL_IMAP_FOLDER (INBOX), MAIL_IMAP_TLS ("ssl" | "starttls" | "none"), MAIL_IMAP_CA_FILE (a CA bundle to
    trust instead of the system's), MAIL_IMAP_PROCESSED_FOLDER (empty: processed mail is only marked seen),
    MAIL_FETCH_SECONDS (300), MAIL_MAX_BYTES (MAIL_MAX_MB, 25 MB), MAIL_MAX_PARTS (100), MAIL_SMTP_RECIPIENTS
    (addresses or "@domain"s `ungcuu smtpd` accepts mail for; empty: any).
"""

from django.conf import settings

from ungcuu.lib.env import env_int, env_list, env_str

DEFAULTS = {
    "MAIL_IMAP_HOST": lambda: env_str("MAIL_IMAP_HOST"),
    "MAIL_IMAP_TLS": lambda: env_str("MAIL_IMAP_TLS", "ssl").lower(),
    "MAIL_IMAP_PORT": lambda: env_int("MAIL_IMAP_PORT", 993 if get("MAIL_IMAP_TLS") == "ssl" else 143),
    "MAIL_IMAP_USER": lambda: env_str("MAIL_IMAP_USER"),
    "MAIL_IMAP_PASSWORD": lambda: env_str("MAIL_IMAP_PASSWORD"),
    "MAIL_IMAP_FOLDER": lambda: env_str("MAIL_IMAP_FOLDER", "INBOX"),
    "MAIL_IMAP_CA_FILE": lambda: env_str("MAIL_IMAP_CA_FILE"),
    "MAIL_IMAP_PROCESSED_FOLDER": lambda: env_str("MAIL_IMAP_PROCESSED_FOLDER"),
    "MAIL_IMAP_TIMEOUT": lambda: env_int("MAIL_IMAP_TIMEOUT", 60),
    "MAIL_FETCH_SECONDS": lambda: env_int("MAIL_FETCH_SECONDS", 300),
    "MAIL_MAX_BYTES": lambda: env_int("MAIL_MAX_MB", 25) * 1024 * 1024,
    "MAIL_MAX_PARTS": lambda: env_int("MAIL_MAX_PARTS", 100),
    "MAIL_SMTP_RECIPIENTS": lambda: [r.lower() for r in env_list("MAIL_SMTP_RECIPIENTS")],
}


def get(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    return DEFAULTS[name]()
