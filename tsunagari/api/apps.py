from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tsunagari.api"
    verbose_name = "HSDS API"
