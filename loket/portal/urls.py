from importlib.util import find_spec

from django.urls import URLPattern, path

from . import views

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("complain/", views.complain, name="complain"),
    path("sent/<str:token>/", views.sent, name="sent"),
    path("follow/", views.follow, name="follow"),
]


def _knowledge_has_pages() -> bool:
    try:
        return find_spec("loket.knowledge.urls") is not None
    except ModuleNotFoundError:
        return False


# The knowledge base brings the real FAQ at the same address; until its pages exist, a page
# says it is coming.
if not _knowledge_has_pages():
    urlpatterns.append(path("faq/", views.faq_coming, name="faq"))
