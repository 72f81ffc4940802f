from django.urls import path

from ungcuu.evidence import views

app_name = "evidence"
urlpatterns = [
    path("incidents/<str:reference>/evidence/add/", views.add, name="add"),
    path("evidence/<int:pk>/", views.detail, name="detail"),
    path("evidence/<int:pk>/download/", views.download_file, name="download"),
    path("evidence/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
    path("evidence/<int:pk>/verify/", views.verify, name="verify"),
]
