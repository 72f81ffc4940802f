"""API authentication (Bearer tokens) and the caller's own account."""

from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from ungcuu.accounts.actions import authenticate_token

router = Router(tags=["accounts"])


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> → the token's user, as request.user."""

    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionCookieAuth(SessionAuth):
    """The browser's session, for calls from the pages. The CSRF check runs only when a session cookie is
    sent: a script with no session and a wrong or revoked token is answered 401 (not authenticated), not
    ninja's 403 "CSRF check Failed" (which a POST without any cookie got before)."""

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    organisation_id: int | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="The authenticated account")
def me(request):
    user = request.user
    return {"id": user.pk, "username": user.username, "full_name": user.full_name,
            "organisation_id": user.organisation_id, "roles": sorted(user.role_set)}
