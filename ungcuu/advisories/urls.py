"""Warnings about vulnerabilities and threats sent to agencies, acknowledged and remediated per system (SPEC §9)."""
from django.urls import path

from ungcuu.advisories import views

app_name = "advisories"

urlpatterns = [
    path("advisories/", views.advisory_list, name="list"),
    path("advisories/new/", views.advisory_create, name="create"),
    path("advisories/<int:pk>/", views.advisory_detail, name="detail"),
    path("advisories/<int:pk>/edit/", views.advisory_edit, name="edit"),
    path("advisories/<int:pk>/send/", views.advisory_send, name="send"),
    path("advisories/<int:pk>/remind/", views.advisory_remind, name="remind"),
    path("advisories/<int:pk>/close/", views.advisory_close, name="close"),
    path("advisories/<int:pk>/coverage.csv", views.coverage_csv, name="coverage_csv"),
    path("advisories/recipients/<int:pk>/", views.recipient_detail, name="recipient"),
    path("advisories/recipients/<int:pk>/acknowledge/", views.recipient_acknowledge, name="acknowledge"),
    path("advisories/answers/<int:pk>/", views.answer, name="answer"),
]
