from django.urls import path

from ungcuu.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.register, name="register"),
    path("documents/<int:pk>/<str:fmt>/", views.download, name="download"),
    path("incidents/<str:reference>/documents/", views.issue, name="issue"),
]
