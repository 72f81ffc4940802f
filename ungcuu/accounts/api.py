"""API authentication (Bearer tokens) and the caller's own account."""

from ninja import Router, Schema
from ninja.security import HttpBearer

from ungcuu.accounts.actions import authenticate_token

router = Router(tags=["accounts"])


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> → the token's user, as request.user."""

    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


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
