from django.urls import path

from .views import members, organization, password, signin, sites, units

app_name = "staff"

ORG = "o/<slug:org>/"

urlpatterns = [
    path("", signin.home, name="home"),
    path("login/", signin.sign_in, name="login"),
    path("logout/", signin.sign_out, name="logout"),
    path("second-factor/", signin.second_factor, name="second_factor"),
    path("password/", password.password_reset, name="password_reset"),
    path("password/sent/", password.password_reset_sent, name="password_reset_sent"),
    path("password/<str:person>/<str:token>/", password.password_set, name="password_set"),
    path(ORG + "members/", members.member_list, name="members"),
    path(ORG + "members/<uuid:person>/", members.member_detail, name="member"),
    path(ORG + "members/<uuid:person>/contacts/", members.member_contacts, name="member_contacts"),
    path(ORG + "members/<uuid:person>/active/", members.member_active, name="member_active"),
    path(
        ORG + "members/<uuid:person>/second-factor/",
        members.member_second_factor_reset,
        name="member_second_factor_reset",
    ),
    path(ORG + "members/<uuid:person>/invite/", members.member_invite, name="member_invite"),
    path(ORG + "members/<uuid:person>/erase/", members.member_erase, name="member_erase"),
    path(ORG + "sites/", sites.site_list, name="sites"),
    path(ORG + "sites/new/", sites.site_new, name="site_new"),
    path(ORG + "sites/link/", sites.site_link, name="site_link"),
    path(ORG + "sites/<str:site>/", sites.site_detail, name="site"),
    path(ORG + "sites/<str:site>/unlink/", sites.site_unlink, name="site_unlink"),
    path(ORG + "units/", units.unit_list, name="units"),
    path(ORG + "units/new/", units.unit_new, name="unit_new"),
    path(ORG + "units/<str:unit>/", units.unit_detail, name="unit"),
    path(ORG + "units/<str:unit>/delete/", units.unit_delete, name="unit_delete"),
    path(ORG + "settings/", organization.organization_settings, name="organization"),
]
