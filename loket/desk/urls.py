from django.contrib.auth import views as auth_views
from django.urls import path

from .views import actions, case, clients, notifications, quarantine, queues, register, search

app_name = "desk"
urlpatterns = [
    path("", queues.home, name="home"),
    path("queues/default/", queues.default_save, name="queue-default"),
    path("cases/<str:reference>/", case.case_page, name="case"),
    path("cases/<str:reference>/template/", case.reply_template, name="case-template"),
    path("cases/<str:reference>/reply/", actions.reply, name="case-reply"),
    path("cases/<str:reference>/phone-answer/", actions.phone_answer, name="case-phone-answer"),
    path("cases/<str:reference>/note/", actions.note, name="case-note"),
    path("cases/<str:reference>/forward/", actions.forward, name="case-forward"),
    path("cases/<str:reference>/take-over/", actions.take_over, name="case-take-over"),
    path("cases/<str:reference>/topic/", actions.topic, name="case-topic"),
    path("cases/<str:reference>/policy/", actions.policy, name="case-policy"),
    path("cases/<str:reference>/delay-notice/", actions.delay_notice, name="case-delay-notice"),
    path("cases/<str:reference>/close/", actions.close, name="case-close"),
    path("cases/<str:reference>/reopen/", actions.reopen, name="case-reopen"),
    path("attachments/<int:pk>/", case.attachment_download, name="attachment"),
    path(
        "portal-attachments/<int:pk>/",
        case.portal_attachment_download,
        name="portal-attachment",
    ),
    path("register/", register.register, name="register"),
    path("register/clients/", register.client_lookup, name="client-lookup"),
    path("search/", search.search, name="search"),
    path("clients/<int:pk>/", search.client_page, name="client"),
    path("clients/<int:pk>/change/", clients.client_change, name="client-change"),
    path("quarantine/", quarantine.quarantine_page, name="quarantine"),
    path("quarantine/mail/<int:pk>/again/", quarantine.mail_again, name="quarantine-mail"),
    path("quarantine/forms/<int:pk>/again/", quarantine.form_again, name="quarantine-form"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications-read"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="desk/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
