"""A local HTTP server that answers like CKAN's action API (package_show/create/patch,
resource_create/patch), keeping its datasets in memory, so publication is tested for real."""

from __future__ import annotations

import json
import uuid

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


class FakeCkan:
    def __init__(self, server: HTTPServer, api_key: str = "test-key", forbid: bool = False):
        self.server, self.api_key, self.forbid = server, api_key, forbid
        self.packages: dict[str, dict] = {}
        self.calls: list[str] = []
        self.uploads: dict[str, bytes] = {}
        server.expect_request("/api/3/action/package_show").respond_with_handler(self._handle("package_show"))
        for action in ("package_create", "package_patch", "resource_create", "resource_patch"):
            server.expect_request(f"/api/3/action/{action}", method="POST").respond_with_handler(self._handle(action))

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _handle(self, action):
        def handler(request: Request) -> Response:
            self.calls.append(action)
            if self.forbid:
                return Response("<html>Forbidden</html>", status=403)
            if action != "package_show" and request.headers.get("Authorization") != self.api_key:
                return _json(
                    {"success": False, "error": {"__type": "Authorization Error", "message": "Access denied"}}, 403
                )
            return getattr(self, action)(request)

        return handler

    def _by_id(self, package_id: str) -> dict:
        return next(p for p in self.packages.values() if p["id"] == package_id or p["name"] == package_id)

    def package_show(self, request: Request) -> Response:
        name = request.args.get("id")
        if name not in self.packages:
            return _json({"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}, 404)
        return _json({"success": True, "result": self.packages[name]})

    def package_create(self, request: Request) -> Response:
        body = request.get_json()
        if body["name"] in self.packages:
            return _json(
                {"success": False, "error": {"name": ["That URL is already in use."], "__type": "Validation Error"}},
                409,
            )
        package = {**body, "id": str(uuid.uuid4()), "resources": []}
        self.packages[body["name"]] = package
        return _json({"success": True, "result": package})

    def package_patch(self, request: Request) -> Response:
        body = request.get_json()
        package = self._by_id(body["id"])
        package.update({k: v for k, v in body.items() if k != "id"})
        return _json({"success": True, "result": package})

    def resource_create(self, request: Request) -> Response:
        package = self._by_id(request.form["package_id"])
        resource = {"id": str(uuid.uuid4()), **{k: request.form[k] for k in ("name", "format", "hash")}}
        self.uploads[resource["id"]] = request.files["upload"].read()
        package["resources"].append(resource)
        return _json({"success": True, "result": resource})

    def resource_patch(self, request: Request) -> Response:
        for package in self.packages.values():
            for resource in package["resources"]:
                if resource["id"] == request.form["id"]:
                    resource.update({k: request.form[k] for k in ("name", "format", "hash")})
                    self.uploads[resource["id"]] = request.files["upload"].read()
                    return _json({"success": True, "result": resource})
        return _json({"success": False, "error": {"__type": "Not Found Error"}}, 404)


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
