"""The network-member dossier, TT 20/2017 Biểu mẫu 01 (SPEC §9)."""
from django.urls import path

from ungcuu.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("dossiers/", views.dossier_list, name="dossiers"),
    path("dossiers/new/", views.dossier_new, name="dossier_new"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/edit/", views.dossier_edit, name="dossier_edit"),
    path("dossiers/<int:pk>/print/", views.dossier_print, name="dossier_print"),
    path("dossiers/<int:pk>/docx/", views.dossier_docx, name="dossier_docx"),
    path("dossiers/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("dossiers/<int:pk>/focal-point/", views.change_focal_point, name="change_focal_point"),
    path("dossiers/<int:pk>/notice/", views.record_notice, name="record_notice"),
    path("dossiers/<int:pk>/staff/", views.add_staff, name="add_staff"),
    path("dossiers/<int:pk>/staff/<int:entry_id>/remove/", views.remove_staff, name="remove_staff"),
    path("dossiers/<int:pk>/experts/", views.add_expert, name="add_expert"),
    path("dossiers/<int:pk>/experts/<int:expert_id>/remove/", views.remove_expert, name="remove_expert"),
]
