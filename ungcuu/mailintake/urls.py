"""Reports by e-mail: IMAP fetch, SMTP receiver and .eml upload of "[TBSC]" messages (SPEC §3)."""
from django.urls import path

from ungcuu.mailintake import views

app_name = "mailintake"

urlpatterns = [
    path("mail/", views.message_list, name="messages"),
    path("mail/upload/", views.upload, name="upload"),
    path("mail/<int:pk>/", views.message_detail, name="message"),
]
