"""Response plans with scenarios per information system, and the team's annual plan (SPEC §9)."""
from django.urls import path

from ungcuu.plans import views

app_name = "plans"

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/new/", views.plan_create, name="create"),
    path("plans/<int:pk>/", views.plan_detail, name="detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="approve"),
    path("plans/<int:pk>/new-version/", views.plan_new_version, name="new_version"),
    path("plans/<int:pk>/scenarios/new/", views.scenario_create, name="scenario_create"),
    path("plans/scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("plans/scenarios/<int:pk>/remove/", views.scenario_remove, name="scenario_remove"),
    path("plans/scenarios/<int:pk>/steps/", views.step_add, name="step_add"),
    path("plans/steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("plans/steps/<int:pk>/remove/", views.step_remove, name="step_remove"),
    path("plans/incidents/<str:reference>/scenario-tasks/", views.add_scenario_tasks, name="scenario_tasks"),
    path("plans/annual/", views.annual_index, name="annual_index"),
    path("plans/annual/<int:year>/", views.annual_plan, name="annual"),
    path("plans/annual/tasks/<int:pk>/", views.annual_task, name="annual_task"),
]
