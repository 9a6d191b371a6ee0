from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "本番向けWSGIサーバー（waitress）でmadoguchiを起動する"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **opts):
        from waitress import serve

        from madoguchi.wsgi import application

        # waitress logs no request lines, so no query string reaches a log.
        serve(application, host=opts["addr"], port=opts["port"], threads=opts["threads"])
