from django.urls import path

from verzuim.messaging import views

app_name = "dev"
urlpatterns = [path("outbox/", views.outbox, name="outbox")]
