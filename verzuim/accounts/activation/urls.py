from django.urls import path

from . import views

app_name = "activation"
urlpatterns = [
    path("password/", views.password, name="password"),
    path("phone/", views.phone, name="phone"),
    path("extra/", views.factor, name="factor"),
    path("backup-codes/", views.backup_codes, name="backup-codes"),
    path("finish/", views.finish, name="finish"),
    path("<str:uidb64>/<str:token>/", views.link, name="link"),
]
