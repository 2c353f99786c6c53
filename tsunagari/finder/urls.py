"""The portal's chat: /<platform_slug>/chat/…"""

from django.urls import path

from . import views

app_name = "finder"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("c/<str:conversation_id>/", views.conversation, name="conversation"),
    path("c/<str:conversation_id>/answer/", views.answer, name="answer"),
    path("c/<str:conversation_id>/share/", views.share, name="share"),
    path("r/<str:token>/", views.shared, name="shared"),
    path("r/<str:token>/print/", views.shared_print, name="shared-print"),
    path("r/<str:token>/text/", views.shared_text, name="shared-text"),
]
