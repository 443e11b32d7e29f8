from django.urls import path

from verzuim.help import views

app_name = "help"
urlpatterns = [path("faq/", views.faq, name="faq")]
