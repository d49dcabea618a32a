from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("suggestions/", views.suggestions, name="suggestions"),
    path("load/", views.load, name="load"),
    path("competences/", views.competences, name="competences"),
    path("catch-up/", views.catch_up, name="catch-up"),
    path("catch-up/<int:pk>/", views.decide, name="decide"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/<int:user_id>/", views.agenda, name="agenda-of"),
    path("agenda/<int:user_id>/absences/", views.absence_add, name="absence-add"),
    path("agenda/<int:user_id>/pattern/", views.pattern_set, name="pattern-set"),
    path("agenda/<int:user_id>/feeds/", views.feed_add, name="feed-add"),
    path("absences/<int:pk>/remove/", views.absence_delete, name="absence-remove"),
    path("feeds/<int:pk>/refresh/", views.feed_action, {"action": "refresh"}, name="feed-refresh"),
    path("feeds/<int:pk>/remove/", views.feed_action, {"action": "remove"}, name="feed-remove"),
]
