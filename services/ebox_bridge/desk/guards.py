"""What every desk page checks before it does anything: the person may use the desk (403
otherwise), and a form carries the signed-in session's CSRF token (403 "expired" otherwise)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from loket.infra.http.signin.person_pages import form_is_fresh
from loket.infra.identity.principal import Principal
from services.ebox_bridge.desk import access
from services.ebox_bridge.desk.rendering import language, message
from services.ebox_bridge.desk.texts import texts_for

# The service named in the audit trail for what people do at the desk.
SERVICE = "ebox_bridge"


def desk_refusal(request: Request) -> Response | None:
    principal: Principal = request.state.principal
    if access.uses_desk(principal):
        return None
    return message(request, 403, texts_for(language(request))["not_desk"])


def form_refusal(request: Request, form: dict[str, str]) -> Response | None:
    if (refused := desk_refusal(request)) is not None:
        return refused
    if not form_is_fresh(request, form):
        return message(request, 403, texts_for(language(request))["expired_form"])
    return None

