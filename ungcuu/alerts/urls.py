from django.urls import path

from ungcuu.alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.queue, name="queue"),
    path("alerts/rejected/", views.rejected, name="rejected"),
    path("alerts/settings/", views.alert_settings, name="settings"),
    path("alerts/act/", views.act, name="act"),
    path("alerts/<int:pk>/", views.detail, name="detail"),
    path("alerts/<int:pk>/split/", views.split, name="split"),
    # TheHive 4's alert API (thehive4py 1.x); TheHive 5's /api/v1/alert is in the REST API.
    path("api/alert", views.thehive4_alert, name="thehive4_alert"),
]
