from django.urls import path

from ungcuu.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/periodic/", views.periodic, name="periodic"),
    path("reports/dashboard/", views.dashboard_page, name="dashboard"),
    path("incidents/<str:reference>/outcome/", views.record_outcome, name="record_outcome"),
]
