"""The knowledge base in the desk, at /<language>/desk/knowledge/ (loket/urls.py)."""

from django.urls import path

from .views import articles, fragments, gaps

app_name = "knowledge_desk"
urlpatterns = [
    path("", articles.article_list, name="articles"),
    path("new/", articles.article_new, name="article-new"),
    path("<int:pk>/", articles.article_detail, name="article"),
    path("<int:pk>/edit/", articles.article_edit, name="article-edit"),
    path("<int:pk>/step/", articles.article_step, name="article-step"),
    path("<int:pk>/versions/", articles.versions, name="versions"),
    path("<int:pk>/<str:language>/", articles.translation_edit, name="translation"),
    path("candidates/", gaps.candidates, name="candidates"),
    path("candidates/<int:pk>/", gaps.candidate_decide, name="candidate-decide"),
    path("signals/", gaps.signals, name="signals"),
    path("cases/<str:reference>/flag/", gaps.case_flag, name="case-flag"),
    path("use/", fragments.use, name="use"),
    path("rules/", gaps.policy, name="policy"),
]
