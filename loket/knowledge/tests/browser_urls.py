"""A stand-in reply page for the browser test of inserting an article: the desk's own reply
form is being rebuilt elsewhere, so the test drives the fragment and the use endpoint through
this page, which includes them exactly as the documentation in views/fragments.py says."""

from __future__ import annotations

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from loket.desk.access import DeskRequest, case_for, staff_required
from loket.urls import urlpatterns as loket_urlpatterns

PAGE = """{% load static %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reply to {{ case.reference }}</title>
<link rel="stylesheet" href="{% static 'loket/loket.css' %}">
<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>
<script src="{% static 'django_htmx/htmx-2.min.js' %}" defer></script></head>
<body><main id="main"><h1>Reply to {{ case.reference }}</h1>
<form method="post" action="#"><label for="reply-body">Your reply</label>
<textarea id="reply-body" name="body" rows="12" cols="80">Dear client,</textarea></form>
<div id="suggestions" hx-trigger="load"
 hx-get="{% url 'knowledge:suggest' %}?case={{ case.reference }}&amp;target=reply-body"></div>
</main></body></html>"""


@staff_required
def reply_page(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"case": case}, request))


urlpatterns = [
    *loket_urlpatterns,
    path("test-reply/<str:reference>/", reply_page, name="test-reply"),
]
