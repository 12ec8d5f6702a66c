import uuid

from treem.audit import context


class RequestContextMiddleware:
    """Binds the client address and a request id for the audit events of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR is the proxy's address behind nginx; the operations guide sets it from
        # X-Real-IP at the proxy, so the header is never trusted here.
        ctx = context.RequestContext(
            ip_address=request.META.get("REMOTE_ADDR") or None, request_id=uuid.uuid4().hex
        )
        token = context.bind(ctx)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
