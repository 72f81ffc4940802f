import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")
django_application = get_wsgi_application()

from ungcuu.alerts.intake import AlertIntake  # noqa: E402 (needs the app registry set up above)

# Monitoring alerts sent with a token take a lean path around Django's stack (see alerts/intake.py).
application = AlertIntake(django_application)
