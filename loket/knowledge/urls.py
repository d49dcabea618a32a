"""The public FAQ, at /<language>/faq/ (loket/urls.py)."""

from django.urls import path

from .views import fragments, public

app_name = "knowledge"
urlpatterns = [
    path("", public.home, name="home"),
    path("search/", public.search, name="search"),
    path("suggest/", fragments.suggest, name="suggest"),
    path("category/<slug:slug>/", public.category, name="category"),
    path("<slug:slug>/", public.article, name="article"),
    path("<slug:slug>/feedback/", public.feedback, name="feedback"),
]
