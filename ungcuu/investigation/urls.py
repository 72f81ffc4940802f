from django.urls import path

from ungcuu.investigation import views

app_name = "investigation"
urlpatterns = [
    path("incidents/<str:reference>/investigation/checklist/", views.add_checklist, name="add_checklist"),
    path("incidents/<str:reference>/investigation/tasks/", views.add_task, name="add_task"),
    path("investigation/tasks/<int:pk>/", views.update_task, name="update_task"),
    path("incidents/<str:reference>/investigation/indicators/", views.add_indicator, name="add_indicator"),
    path("incidents/<str:reference>/investigation/indicators/extract/", views.extract_indicators,
         name="extract_indicators"),
    path("investigation/indicators/<int:pk>/remove/", views.remove_indicator, name="remove_indicator"),
    path("incidents/<str:reference>/timeline/", views.timeline, name="timeline"),
    path("incidents/<str:reference>/timeline/add/", views.add_timeline_event, name="add_timeline_event"),
    path("investigation/timeline/<int:pk>/edit/", views.edit_timeline_event, name="edit_timeline_event"),
    path("checklists/", views.template_list, name="template_list"),
    path("checklists/new/", views.template_create, name="template_create"),
    path("checklists/<int:pk>/", views.template_edit, name="template_edit"),
    path("checklists/<int:pk>/toggle/", views.template_toggle, name="template_toggle"),
]
