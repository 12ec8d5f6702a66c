from django.conf import settings


def navigation(request):
    """What the base template needs on every page."""
    return {"LANGUAGES": settings.LANGUAGES, "TREEM_DEBUG": settings.DEBUG}
