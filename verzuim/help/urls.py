from django.urls import path

from verzuim.core import ratelimit as rl
from verzuim.help import manage_views, support_views, views

app_name = "help"
urlpatterns = [
    path("", views.index, name="index"),
    path("faq/", views.faq, name="faq"),
    path("manuals/<slug:slug>/", views.manual, name="manual"),
    path("search/", rl.rate_limited(*rl.SEARCH)(views.search), name="search"),
    path(
        "contact/",
        rl.rate_limited(*rl.SUPPORT_FORM, methods=("POST",))(support_views.contact),
        name="contact",
    ),
    path("contact/sent/", support_views.contact_sent, name="contact-sent"),
    path("support-requests/", support_views.request_list, name="support-requests"),
    path("support-requests/<int:pk>/", support_views.request_detail, name="support-request"),
    path(
        "support-requests/<int:pk>/status/",
        support_views.request_status,
        name="support-request-status",
    ),
    path(
        "support-requests/<int:pk>/screenshot/",
        support_views.request_screenshot,
        name="support-request-screenshot",
    ),
    path("manage/", manage_views.content_list, name="manage"),
    path("manage/<str:kind>/new/", manage_views.content_edit, name="manage-new"),
    path("manage/<str:kind>/<int:pk>/", manage_views.content_edit, name="manage-edit"),
    path(
        "manage/<str:kind>/<int:pk>/preview/", manage_views.content_preview, name="manage-preview"
    ),
    path("manage/<str:kind>/<int:pk>/status/", manage_views.content_status, name="manage-status"),
]
