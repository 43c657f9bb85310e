from django.urls import path

from bioproof.demand import views

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("new/", views.need_create, name="need_create"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("proposals/<int:pk>/evaluation/", views.proposal_evaluate, name="proposal_evaluate"),
    path("proposals/<int:pk>/attachments/", views.proposal_attach, name="proposal_attach"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_id>/",
        views.proposal_attachment_download,
        name="proposal_attachment_download",
    ),
    path("adoptions/", views.adoption_list, name="adoption_list"),
    path("adoptions/new/", views.adoption_create, name="adoption_create"),
    path("products/<str:code>/documents/", views.product_documents, name="product_documents"),
    path(
        "products/<str:code>/documents/<int:pk>/",
        views.document_download,
        name="product_document_download",
    ),
    path("<str:code>/", views.need_detail, name="need_detail"),
    path("<str:code>/propose/", views.need_propose, name="need_propose"),
    path("<str:code>/invite/", views.need_invite, name="need_invite"),
    path("<str:code>/close/", views.need_close, name="need_close"),
]
