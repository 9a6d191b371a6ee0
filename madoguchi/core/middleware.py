"""Japanese first: the UI language is the one a member of staff chose (language switch,
stored in a cookie), else Japanese — never the browser's Accept-Language, so a counter PC
set up in English still shows the Japanese counter until someone switches."""


class JapaneseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
