from django.urls import path

from ungcuu.incidents import procedure_views, views

app_name = "incidents"
urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/report/", views.report_new, name="report"),
    path("incidents/report/draft/<int:draft_id>/", views.report_new, name="draft"),
    path("incidents/report/system-fields/", views.system_fields, name="system_fields"),
    path("incidents/submissions/", views.submission_list, name="submissions"),
    path("incidents/submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("incidents/<str:reference>/", views.incident_detail, name="detail"),
    path("incidents/<str:reference>/verify/", views.verify, name="verify"),
    path("incidents/<str:reference>/classify/", views.classify, name="classify"),
    path("incidents/<str:reference>/propose-serious/", views.propose_serious, name="propose_serious"),
    path("incidents/<str:reference>/severity-decision/", views.severity_decision, name="severity_decision"),
    path("incidents/<str:reference>/reject/", views.reject, name="reject"),
    path("incidents/<str:reference>/merge/", views.merge, name="merge"),
    path("incidents/<str:reference>/link/", views.link, name="link"),
    path("incidents/<str:reference>/unlink/<str:other>/", views.unlink, name="unlink"),
    path("incidents/<str:reference>/procedure/", procedure_views.procedure_page, name="procedure"),
    path("incidents/<str:reference>/procedure/move/", procedure_views.move, name="move_step"),
    path("incidents/<str:reference>/procedure/response-option/", procedure_views.response_option,
         name="response_option"),
    path("incidents/<str:reference>/procedure/close-out/", procedure_views.close_out, name="close_out"),
    path("incidents/<str:reference>/procedure/reports/", procedure_views.report, name="record_report"),
    # Public: anyone who notices an attack may report it (TT 20 Điều 9.2.c).
    path("bao-cao-su-co/", views.public_report, name="public_report"),
]
