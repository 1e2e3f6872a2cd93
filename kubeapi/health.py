"""/healthz, /livez, /readyz and /version: public, as upstream's
system:public-info-viewer makes them."""
import platform

from django.db import connection
from django.http import HttpResponse, JsonResponse

from kubeapi.conf import VERSION


def _check_database():
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return True
    except Exception:  # any failure means not ready
        connection.close()
        return False


def probe(request, tenant=None, check="readyz", name=None):
    checks = [("ping", True)]
    if check == "readyz" or check == "healthz":
        checks.append(("database", _check_database()))
    if name:
        checks = [c for c in checks if c[0] == name]
        if not checks:
            return HttpResponse("404 page not found\n", status=404, content_type="text/plain")
    ok = all(passed for _, passed in checks)
    if "verbose" in request.GET or not ok:
        lines = [f"[{'+' if passed else '-'}]{n} {'ok' if passed else 'failed'}" for n, passed in checks]
        lines.append(f"{check} check {'passed' if ok else 'failed'}")
        return HttpResponse("\n".join(lines) + "\n", status=200 if ok else 500, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def version(request, tenant=None):
    major, minor, _ = VERSION.lstrip("v").split(".")
    return JsonResponse({
        "major": major,
        "minor": minor,
        "gitVersion": VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-11-21T00:00:00Z",
        "goVersion": f"python{platform.python_version()}",
        "compiler": "cpython",
        "platform": f"{platform.system().lower()}/{'amd64' if platform.machine() == 'x86_64' else platform.machine()}",
    })
