"""Drills, trainings and team meetings (SPEC §9)."""
from django.urls import path

from ungcuu.drills import views

app_name = "drills"

urlpatterns = [
    path("drills/", views.drill_list, name="drills"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/due/", views.due, name="due"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/edit/", views.drill_edit, name="drill_edit"),
    path("drills/<int:pk>/complete/", views.drill_complete, name="drill_complete"),
    path("drills/<int:pk>/cancel/", views.drill_cancel, name="drill_cancel"),
    path("drills/<int:pk>/participants/", views.drill_participants, name="drill_participants"),
    path("drills/meetings/", views.meeting_list, name="meetings"),
    path("drills/meetings/new/", views.meeting_new, name="meeting_new"),
    path("drills/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
