from django.urls import path

from ungcuu.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.register, name="register"),
    path("documents/<int:pk>/sent/", views.mark_sent, name="mark_sent"),  # before the download's <fmt>
    path("documents/<int:pk>/<str:fmt>/", views.download, name="download"),
    path("coordination/orders/<int:pk>/document/", views.issue_order_document, name="issue_order"),
    path("incidents/<str:reference>/documents/", views.issue, name="issue"),
]
