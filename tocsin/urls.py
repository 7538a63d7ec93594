from django.urls import include, path

from tocsin.api.services.tokens import person_for_token
from tocsin.exchange.osdi.views import urlpatterns_for as osdi_urlpatterns

urlpatterns = [
    path("", include("tocsin.core.urls")),
    path("", include("tocsin.joining.urls")),
    path("staff/", include("tocsin.staff.urls")),
    path("staff/", include("tocsin.imports.urls")),
    path("staff/", include("tocsin.staff.audit_urls")),
    path("", include("tocsin.delivery.urls")),
    path("", include("tocsin.response.urls")),
    path("", include("tocsin.hotline.urls")),
    path("", include("tocsin.pledges.urls")),
    path("", include("tocsin.campaigns.urls")),
    path("", include("tocsin.votes.urls")),
    path("", include("tocsin.structure.urls")),
    path("", include("tocsin.clauses.urls")),
    path("", include("tocsin.playbooks.urls")),
    path("", include("tocsin.coalition.urls")),
    path("", include("tocsin.sharing.urls")),
    path("", include("tocsin.exchange.urls")),
    path("api/v1/", include("tocsin.api.urls")),
    # The OSDI read API reads the API's tokens, which exchange cannot import (decision 0032).
    path("api/osdi/v1/", include((osdi_urlpatterns(person_for_token), "osdi"))),
    path("demo/", include("tocsin.demo.urls")),
]

handler404 = "tocsin.core.errors.page_not_found"
# A database or queue that is down answers 503, even when a middleware meets it (decision 0016).
handler500 = "tocsin.core.outage.server_error"
