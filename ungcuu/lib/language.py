"""Language choice: Vietnamese unless the user picked English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an official whose
browser is in English would get English pages; the product's default is Vietnamese. The API still
honours Accept-Language, so a client can ask for English error messages.
"""

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if chosen not in supported:
            if request.path.startswith("/api/"):
                chosen = translation.get_language_from_request(request)
            else:
                chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
