from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [path("calendars/<slug:code>.ics", views.calendar_export, name="calendar-ics")]
