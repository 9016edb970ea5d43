from django.conf import settings
from django.utils import translation


class LanguageParameterMiddleware:
    """`?lang=fr` chooses the language for this request (after cookie and Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.GET.get("lang")
        if lang in self.codes:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)
