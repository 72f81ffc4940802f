"""Sign in, sign out, change password, and the user's API tokens."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.accounts import actions
from ungcuu.accounts.forms import LoginForm, PasswordChangeForm
from ungcuu.lib.forms import add_action_errors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout(request):
    return auth_views.LogoutView.as_view()(request)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(actor=request.user, user=request.user,
                                    new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "registry/form.html", {"form": form, "title": _("Change password")})


@login_required
def profile(request):
    tokens = request.user.api_tokens.all()[:50]
    return render(request, "accounts/profile.html", {"tokens": tokens})
