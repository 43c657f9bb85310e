from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bioproof.api import api
from bioproof.core import transparency
from bioproof.core import views as core_views
from bioproof.evaluations import public_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("bioproof.consortium.urls")),
    path("products/", include("bioproof.catalog.urls")),
    path("evaluations/", include("bioproof.evaluations.urls")),
    path("needs/", include("bioproof.demand.urls")),
    path("search/", include("bioproof.search.urls")),
    path("training/", include("bioproof.training.urls")),
    path("programme/", include("bioproof.programme.urls")),
    path("production/", include("bioproof.production.urls")),
    path("facilities/", include("bioproof.facilities.urls")),
    path("track-records/", public_views.track_record_list, name="track_record_list"),
    path("track-records/<str:code>/", public_views.track_record_detail, name="track_record_detail"),
    path(
        "track-records/<str:code>/report.pdf",
        public_views.track_record_report,
        name="track_record_report",
    ),
    path("verify/", public_views.verify, name="verify"),
    path("transparency/", transparency.transparency, name="transparency"),
    path(
        "transparency/checkpoints.json",
        transparency.checkpoints_json,
        name="transparency_checkpoints",
    ),
    path(".well-known/jwks.json", transparency.jwks, name="jwks"),
    path("jobs/", include("bioproof.jobs.urls")),
    path("notifications/", include("bioproof.notifications.urls")),
    path("", include("bioproof.interop.urls")),
    path("api/", api.urls),
    # the versioned mount of the same API (partners); /api/ stays for existing clients
    path("api/v1/", (api.urls[0], "ninja", "api_v1")),
    path("admin/", admin.site.urls),
]
