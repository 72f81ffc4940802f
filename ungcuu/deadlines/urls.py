from django.urls import path

from ungcuu.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("deadlines/", views.deadline_list, name="list"),
    path("deadlines/rules/", views.rules, name="rules"),
]
