from django.urls import path

from ungcuu.coordination import views

app_name = "coordination"
urlpatterns = [
    path("coordination/workload/", views.workload, name="workload"),
    path("coordination/delegations/", views.delegations, name="delegations"),
    path("coordination/delegations/<int:pk>/revoke/", views.revoke_delegation, name="revoke_delegation"),
    path("coordination/incidents/<str:reference>/dispatch/", views.dispatch, name="dispatch"),
    path("coordination/incidents/<str:reference>/orders/", views.issue_order, name="issue_order"),
    path("coordination/incidents/<str:reference>/requests/", views.send_request, name="send_request"),
    path("coordination/responders/<int:pk>/acknowledge/", views.acknowledge_dispatch, name="acknowledge_dispatch"),
    path("coordination/responders/<int:pk>/release/", views.release, name="release"),
    path("coordination/orders/<int:pk>/", views.order_detail, name="order"),
    path("coordination/orders/<int:pk>/written/", views.written_follow_up, name="written_follow_up"),
    path("coordination/orders/<int:pk>/cancel/", views.cancel_order, name="cancel_order"),
    path("coordination/orders/<int:pk>/recipients/<int:recipient_id>/acknowledge/", views.acknowledge_order,
         name="acknowledge_order"),
    path("coordination/orders/<int:pk>/recipients/<int:recipient_id>/result/", views.order_result,
         name="order_result"),
    path("coordination/requests/<int:pk>/answer/", views.answer_request, name="answer_request"),
    path("coordination/requests/<int:pk>/withdraw/", views.withdraw_request, name="withdraw_request"),
]
