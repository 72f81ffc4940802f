from django.urls import path

from ungcuu.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/deliveries/", views.delivery_list, name="deliveries"),
    path("notifications/deliveries/<int:pk>/retry/", views.retry, name="retry"),
    path("notifications/webhooks/", views.webhook_list, name="webhooks"),
    path("notifications/webhooks/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
