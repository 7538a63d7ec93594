import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.settings")
# WhiteNoise answers static files with a FileResponse, which Django reads in a thread under
# ASGI and warns about on every file; that is the intended trade-off for small static files.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    module="django.core.handlers.asgi",
)
application = get_asgi_application()
