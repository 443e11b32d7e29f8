from django.urls import include, path

from verzuim.absence import urls_cases, urls_dashboard, urls_organisation, urls_worklist

app_name = "absence"
urlpatterns = [
    path("", include(urls_organisation)),
    path("", include(urls_cases)),
    path("", include(urls_dashboard)),
    path("", include(urls_worklist)),
]
