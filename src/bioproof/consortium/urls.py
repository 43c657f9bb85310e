from django.urls import path

from bioproof.consortium import views

urlpatterns = [
    path("account/password/", views.password_change, name="password_change"),
    path("office/", views.office, name="office"),
    path(
        "office/people/<str:username>/password/",
        views.reset_password,
        name="office_reset_password",
    ),
    path("office/people/<str:username>/active/", views.set_active, name="office_set_active"),
    path("organizations/<slug:code>/edit/", views.organization_edit, name="organization_edit"),
    path(
        "organizations/<slug:code>/members/",
        views.organization_members,
        name="organization_members",
    ),
    path("organizations/<slug:code>/members/grant/", views.grant_role, name="member_grant_role"),
    path(
        "organizations/<slug:code>/members/<str:username>/revoke/",
        views.revoke_role,
        name="member_revoke_role",
    ),
    path(
        "organizations/<slug:code>/members/<str:username>/password/",
        views.reset_password,
        name="member_reset_password",
    ),
    path(
        "organizations/<slug:code>/members/<str:username>/active/",
        views.set_active,
        name="member_set_active",
    ),
    path(
        "organizations/<slug:code>/tokens/<int:token_id>/revoke/",
        views.revoke_token,
        name="member_revoke_token",
    ),
]
