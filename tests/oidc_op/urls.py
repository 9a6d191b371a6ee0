from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

FORM = engines["django"].from_string(
    '<form method="post">{% csrf_token %}<input name="username"><input name="password" '
    'type="password"><input type="hidden" name="next" value="{{ next }}"></form>'
)


class Login(LoginView):
    def get(self, request, *args, **kwargs):
        return HttpResponse(FORM.render({"next": request.GET.get("next", "")}, request))

    def form_invalid(self, form):
        return HttpResponse("refused", status=401)


urlpatterns = [
    path("login/", Login.as_view()),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
