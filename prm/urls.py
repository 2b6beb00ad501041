from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from portal import front_views

from .health import health

urlpatterns = [
    path("", front_views.landing, name="landing"),
    path("home/", front_views.home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", front_views.invitation_accept_view, name="invitation_accept"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("ops/admin/", admin.site.urls),
    path("t/<slug:tenant_slug>/", include("portal.urls")),
    path("apply/", include("portal.public_urls")),
]
