from django.urls import path

from . import notice_views, views

app_name = "delivery"
ORG = "staff/o/<slug:org>/"

urlpatterns = [
    path("a/<str:token>/", views.alert_link, name="alert_link"),
    path("a/<str:token>/stop/", views.alert_stop, name="alert_stop"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(ORG + "alerts/", views.alert_list, name="alerts"),
    path(ORG + "alerts/<uuid:alert>/", views.alert_detail, name="alert"),
    path(ORG + "alerts/<uuid:alert>/events/", views.alert_events, name="alert_events"),
    path(ORG + "notice-channels/", notice_views.notice_channel_list, name="notice_channels"),
    path(
        ORG + "notice-channels/<str:notice_channel>/remove/",
        notice_views.notice_channel_remove,
        name="notice_channel_remove",
    ),
    path(
        ORG + "notice-channels/<str:notice_channel>/test/",
        notice_views.notice_channel_test,
        name="notice_channel_test",
    ),
]
