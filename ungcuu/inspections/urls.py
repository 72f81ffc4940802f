"""Inspections, vulnerability scans and threat hunts due per system and organisation by security level (SPEC §9)."""
from django.urls import path

from ungcuu.inspections import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.duty_list, name="list"),
    path("inspections/schedule/", views.schedule, name="schedule"),
    path("inspections/systems/<int:pk>/", views.system_history, name="system"),
    path("inspections/organisations/<int:pk>/", views.organisation_history, name="organisation"),
    path("inspections/record/", views.record_result, name="record"),
    path("inspections/record/finding-row/", views.finding_row, name="finding_row"),
    path("inspections/results/<int:pk>/", views.result_detail, name="result"),
    path("inspections/findings/<int:pk>/", views.update_finding, name="update_finding"),
    path("inspections/periods/", views.period_list, name="periods"),
    path("inspections/periods/<int:pk>/withdraw/", views.withdraw_override, name="withdraw_override"),
]
