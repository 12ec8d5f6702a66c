from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class CookieLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the EN/VI buttons.

    Django's own middleware follows the browser's Accept-Language, but many offices run an
    English-language browser while their staff expect the Vietnamese interface.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class TrustedProxyMiddleware:
    """The client's address behind our own reverse proxy (nginx), from its ``X-Real-IP`` header.

    Behind a proxy, ``REMOTE_ADDR`` is the proxy's address: audit events and the login history
    would show it for everyone, and the lockout per address would lock everyone out together. The
    header is believed only from the addresses in ``TREEM_TRUSTED_PROXIES`` (anyone else could
    send it); the proxy must set it, not pass on the client's (nginx: ``proxy_set_header
    X-Real-IP $remote_addr``).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(getattr(settings, "TREEM_TRUSTED_PROXIES", ()))

    def __call__(self, request):
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            real = request.META.get("HTTP_X_REAL_IP", "").strip()
            if real and _is_address(real):
                request.META["REMOTE_ADDR"] = real
        return self.get_response(request)


def _is_address(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
