from .main import api

app_name = api.urls_namespace
urlpatterns = api.urls[0]
