from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from loket.api.api import api
from loket.portal import views as portal_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),  # outside i18n_patterns: one address per operation
    path("health/", include("loket.runtime.urls")),  # for load balancers and monitoring
    path("", include("loket.deadlines.urls")),
    # The bare address: the public portal's home in the visitor's language.
    path("", portal_views.root, name="root"),
]
urlpatterns += i18n_patterns(
    path("desk/routing/", include("loket.routing.urls")),
    path("desk/mail/", include("loket.mail.urls")),
    path("desk/knowledge/", include("loket.knowledge.desk_urls")),
    path("faq/", include("loket.knowledge.urls")),
    path("desk/", include("loket.desk.urls")),
    path("admin/", admin.site.urls),
    path("", include("loket.portal.urls")),  # the public portal at the language root
    prefix_default_language=True,
)
