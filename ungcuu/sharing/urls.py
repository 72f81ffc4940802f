from django.urls import path

from ungcuu.sharing import views

# Under exports/: the incidents app's incidents/<reference>/ is included before these.
app_name = "sharing"
urlpatterns = [
    path("exports/incidents.csv", views.incidents_csv, name="incidents_csv"),
    path("exports/incidents.xlsx", views.incidents_xlsx, name="incidents_xlsx"),
    path("exports/indicators.csv", views.indicators_csv, name="indicators_csv"),
    path("exports/indicators.xlsx", views.indicators_xlsx, name="indicators_xlsx"),
    path("exports/incidents/<str:reference>.stix.json", views.incident_stix, name="incident_stix"),
    path("exports/incidents/<str:reference>.misp.json", views.incident_misp, name="incident_misp"),
]
