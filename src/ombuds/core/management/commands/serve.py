import os

from django.conf import settings

from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = "Serve Ombuds with gunicorn (static files by whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("OMBUDS_WORKERS", "2"))
        )
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, host, port, workers, timeout, **opts):
        if not 0 < port < 65536:
            raise self.fail(f"--port must be 1–65535 (got {port})")
        if workers < 1:
            raise self.fail("--workers must be at least 1")
        from gunicorn.app.base import BaseApplication

        from ombuds.wsgi import application

        options = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "timeout": timeout,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "info",
            "forwarded_allow_ips": os.environ.get("OMBUDS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        }

        class App(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        mode = "debug" if settings.DEBUG else "production"
        self.stderr.write(
            f"Ombuds serving on http://{options['bind']}/ ({mode} mode, {workers} workers)"
        )
        App().run()
