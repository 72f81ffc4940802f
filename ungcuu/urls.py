from django.contrib import admin
from django.urls import include, path

from ungcuu import views
from ungcuu.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("ungcuu.accounts.urls")),
    path("registry/", include("ungcuu.registry.urls")),
    path("audit/", include("ungcuu.audit.urls")),
    path("", include("ungcuu.incidents.urls")),
    path("", include("ungcuu.evidence.urls")),
    path("", include("ungcuu.coordination.urls")),
    path("", include("ungcuu.investigation.urls")),
    path("", include("ungcuu.deadlines.urls")),
    path("", include("ungcuu.notifications.urls")),
    path("", include("ungcuu.documents.urls")),
    path("", include("ungcuu.reports.urls")),
    path("", include("ungcuu.sharing.urls")),
    path("", include("ungcuu.advisories.urls")),
    path("", include("ungcuu.inspections.urls")),
    path("", include("ungcuu.plans.urls")),
    path("", include("ungcuu.drills.urls")),
    path("", include("ungcuu.dossiers.urls")),
    path("", include("ungcuu.alerts.urls")),
    path("", include("ungcuu.mailintake.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
