from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("loket.deadlines.urls")),
    path("", RedirectView.as_view(pattern_name="desk:home", permanent=False)),
]
urlpatterns += i18n_patterns(
    path("desk/", include("loket.desk.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
