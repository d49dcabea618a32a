from django.urls import path

from . import views

app_name = "mail"
urlpatterns = [
    path("messages/<int:message_pk>/", views.message_html, name="message"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("incoming/<int:inbound_pk>/cid/<path:content_id>", views.inline, name="inline"),
    path("incoming/<int:pk>/raw/", views.raw, name="raw"),
]
