"""The HSDS API paths, with or without a trailing slash (the spec writes them without)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^openapi\.json$", views.openapi, name="openapi"),
    re_path(r"^profile/?$", views.profile, name="profile"),
    re_path(r"^services/?$", views.services, name="services"),
    re_path(r"^services/(?P<service_id>[^/]+)/?$", views.service, name="service"),
    re_path(r"^organizations/?$", views.organizations, name="organizations"),
    re_path(r"^organizations/(?P<organization_id>[^/]+)/?$", views.organization, name="organization"),
    re_path(r"^taxonomies/?$", views.taxonomies, name="taxonomies"),
    re_path(r"^taxonomies/(?P<taxonomy_id>[^/]+)/?$", views.taxonomy, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.taxonomy_terms, name="taxonomy-terms"),
    re_path(r"^taxonomy_terms/(?P<term_id>[^/]+)/?$", views.taxonomy_term, name="taxonomy-term"),
    re_path(r"^service_at_locations/?$", views.service_at_locations, name="service-at-locations"),
    re_path(r"^service_at_locations/(?P<sal_id>[^/]+)/?$", views.service_at_location, name="service-at-location"),
    # Anything else under the API is a JSON 404, not the site's HTML page.
    re_path(r"^.+$", views.unknown_path, name="unknown"),
]
