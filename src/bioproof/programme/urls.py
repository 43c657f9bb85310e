from django.urls import path

from bioproof.programme import policy, views

urlpatterns = [
    path("", views.dashboard, {"level": policy.PUBLIC}, name="programme_public"),
    path("members/", views.dashboard, {"level": policy.MEMBERS}, name="programme_members"),
    path("office/", views.dashboard, {"level": policy.OFFICE}, name="programme_office"),
    path("office/refresh/", views.refresh, name="programme_refresh"),
    path("office/records/<slug:key>/", views.records, name="programme_records"),
    path(
        "export/<str:level>.<str:fmt>",
        views.export,
        name="programme_export",
    ),
    path("targets/", views.targets, name="programme_targets"),
    path("pledges/", views.pledges, name="programme_pledges"),
    path("pledges/<str:code>/withdraw/", views.withdraw, name="programme_pledge_withdraw"),
    path("pledges/<str:code>/evidence/", views.add_evidence, name="programme_pledge_evidence"),
    path("evidence/<int:pk>/", views.evidence, name="programme_evidence"),
]
