from django.urls import path

from .views import join, member, posters, push

app_name = "joining"
urlpatterns = [
    path("join/s/<str:site>/", join.join_site, name="join_site"),
    path("join/o/<slug:org>/", join.join_org, name="join_org"),
    path("join/confirm/", join.confirm, name="confirm"),
    path("join/confirm/new-code/", join.resend_code, name="resend_code"),
    path("join/welcome/", join.welcome, name="welcome"),
    path("join/s/<str:site>/poster/", posters.site_poster, name="site_poster"),
    path("join/o/<slug:org>/poster/", posters.org_poster, name="org_poster"),
    path("join/s/<str:site>/qr.svg", posters.site_qr_svg, name="site_qr_svg"),
    path("join/s/<str:site>/qr.png", posters.site_qr_png, name="site_qr_png"),
    path("join/o/<slug:org>/qr.svg", posters.org_qr_svg, name="org_qr_svg"),
    path("join/o/<slug:org>/qr.png", posters.org_qr_png, name="org_qr_png"),
    path("me/", member.me, name="me"),
    path("me/link/", member.member_link_request, name="member_link_request"),
    path("me/link/<str:token>/", member.member_link, name="member_link"),
    path("me/code/", member.member_code, name="member_code"),
    path("me/contacts/", member.contacts, name="contacts"),
    path("me/follows/", member.subscriptions, name="subscriptions"),
    path("me/push/", push.push_subscribe, name="push_subscribe"),
    path("me/push/remove/", push.push_unsubscribe, name="push_unsubscribe"),
    path("sw.js", push.service_worker, name="service_worker"),
    path("manifest.webmanifest", push.manifest, name="manifest"),
    path("me/leave/", member.leave, name="leave"),
    path("me/sign-out/", member.sign_out, name="sign_out"),
]
