import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
application = get_wsgi_application()

# Production refuses to serve with a setting that would break requests (a web server does not run
# Django's system checks itself): better no server than a 500 on every case page.
from treem.core.startup import refuse_to_start_if_misconfigured  # noqa: E402

refuse_to_start_if_misconfigured()
