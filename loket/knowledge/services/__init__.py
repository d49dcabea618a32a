"""Every state change of the knowledge base (charter rule 10), one transaction each, each
writing its Event: articles (articles.py), what readers and agents do with them (usage.py),
FAQ candidates and the gap finder (candidates.py)."""

from .articles import (
    KnowledgeError,
    add_months,
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_review_confirm,
    article_submit,
    article_translation_save,
    article_update,
    knowledge_policy,
    knowledge_policy_change,
    review_reminders_send,
)
from .candidates import GapReport, faq_candidate_accept, faq_candidate_dismiss, faq_candidates_find
from .usage import (
    article_use_record,
    case_signal,
    feedback_record,
    suggestion_question_sent,
    suggestion_questions_sent,
    suggestion_shown_record,
)

__all__ = [
    "GapReport",
    "KnowledgeError",
    "add_months",
    "article_archive",
    "article_create",
    "article_publish",
    "article_restore",
    "article_review_confirm",
    "article_submit",
    "article_translation_save",
    "article_update",
    "article_use_record",
    "case_signal",
    "faq_candidate_accept",
    "faq_candidate_dismiss",
    "faq_candidates_find",
    "feedback_record",
    "knowledge_policy",
    "knowledge_policy_change",
    "review_reminders_send",
    "suggestion_question_sent",
    "suggestion_questions_sent",
    "suggestion_shown_record",
]
