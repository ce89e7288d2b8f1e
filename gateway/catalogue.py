"""The capabilities the gateway exposes, compiled once from the OpenAPI documents and the config.

Routes, request-body schemas, required scopes and deprecation all come from the committed
documents (``<capability>.v<major>.json``) and the upstream entries of the config; nothing
about a capability is written in gateway code, so onboarding one is adding its document and
an upstream.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from gateway.config import ConfigError, GatewayConfig, Upstream
from gateway.problems import GatewayProblem
from gateway.types import RawHeaders
from gateway.validation import BodySchema

_DOCUMENT_NAME: Final = re.compile(r"^([a-z][a-z0-9-]*)\.v([1-9][0-9]*)\.json$")
_MAJOR_SEGMENT: Final = re.compile(r"^v([1-9][0-9]*)$")
_PARAM: Final = re.compile(r"\{([^}/]+)\}")
_METHODS: Final = ("get", "put", "post", "delete", "patch", "head", "options")


class Operation:
    """One operation of one major version, as the request path needs it."""

    __slots__ = ("body", "key", "major", "method", "operation_id", "scopes", "template")

    def __init__(
        self, major: MajorVersion, method: str, template: str, operation_id: str, scopes: frozenset[str],
        body: BodySchema | None,
    ) -> None:  # fmt: skip
        self.major = major
        self.method = method
        self.template = template
        """Public route template, for metrics and logs (never the raw path)."""
        self.operation_id = operation_id
        self.scopes = scopes
        self.body = body
        self.key = f"{major.capability}:v{major.number}:{operation_id}"
        """Names the operation in rate-limit route overrides."""


class MajorVersion:
    """One major version of a capability: its operations, its upstream and its lifecycle."""

    def __init__(self, capability: str, number: int, upstream: Upstream) -> None:
        self.capability = capability
        self.number = number
        self.upstream = upstream
        self.prefix = f"/{capability}/v{number}"
        self.public_prefix = f"/{capability}".encode()
        """What the gateway puts before the service's own paths."""
        self._literal: dict[tuple[str, str], Operation] = {}
        self._patterns: list[tuple[re.Pattern[str], dict[str, Operation]]] = []
        self.lifecycle_headers: RawHeaders = []
        """``Deprecation``, ``Sunset`` and ``Link`` headers, rendered once."""
        self.successor: str | None = None
        self.key = (capability, number)
        self.sunset_epoch = upstream.sunset_at.timestamp() if upstream.sunset_at else None

    def add(self, service_path: str, method: str, operation: Operation) -> None:
        if "{" not in service_path:
            self._literal[(method, service_path)] = operation
            self._literal.setdefault(("*", service_path), operation)
            return
        regex = re.compile(
            "^" + _PARAM.sub(r"[^/]+", re.escape(service_path).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        )
        for pattern, by_method in self._patterns:
            if pattern.pattern == regex.pattern:
                by_method[method] = operation
                return
        self._patterns.append((regex, {method: operation}))

    def find(self, method: str, service_path: str) -> Operation:
        """The operation for a path inside the service (``/v2/customers/...``); 404 or 405 problems."""
        if (operation := self._literal.get((method, service_path))) is not None:
            return operation
        allowed: Iterable[str] = ()
        if ("*", service_path) in self._literal:
            allowed = [m for (m, p) in self._literal if p == service_path and m != "*"]
        else:
            for pattern, by_method in self._patterns:
                if pattern.match(service_path):
                    if method in by_method:
                        return by_method[method]
                    allowed = by_method
                    break
        if allowed:
            names = ", ".join(sorted(m.upper() for m in allowed))
            raise GatewayProblem(
                "method-not-allowed",
                f"{method.upper()} is not allowed here",
                headers=[(b"allow", names.encode())],
            )
        raise GatewayProblem("not-found", f"No route {service_path} in {self.capability} v{self.number}")

    def status(self, now: dt.datetime) -> str:
        if self.upstream.sunset_at and now >= self.upstream.sunset_at:
            return "sunset"
        if self.upstream.deprecated_at and now >= self.upstream.deprecated_at:
            return "deprecated"
        return "current"


class Catalogue:
    """Every capability and major version the gateway serves."""

    def __init__(
        self, majors: dict[str, dict[int, MajorVersion]], documents: dict[tuple[str, int], dict[str, Any]]
    ):
        self.majors = majors
        self.documents = documents

    @classmethod
    def build(cls, config: GatewayConfig) -> Catalogue:
        folder = config.contracts_path()
        upstreams = {(u.capability, u.major): u for u in config.upstreams}
        majors: dict[str, dict[int, MajorVersion]] = {}
        documents: dict[tuple[str, int], dict[str, Any]] = {}
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if not files:
            raise ConfigError(f"{folder}: no OpenAPI documents (<capability>.v<major>.json)")
        for path in files:
            match = _DOCUMENT_NAME.match(path.name)
            if not match:
                raise ConfigError(f"{path}: name is not <capability>.v<major>.json")
            key = (match.group(1), int(match.group(2)))
            if key not in upstreams:
                raise ConfigError(
                    f"{path}: no upstream configured for {key[0]} v{key[1]} (add it to [[upstreams]])"
                )
            document = _read(path)
            majors.setdefault(key[0], {})[key[1]] = _compile(path, document, key[0], key[1], upstreams[key])
            documents[key] = document
        for capability, major in upstreams.keys() - documents.keys():
            raise ConfigError(
                f"upstream {capability} v{major} has no document {capability}.v{major}.json in {folder}"
            )
        for by_number in majors.values():
            _link_lifecycle(by_number)
        return cls(majors, documents)

    def major(self, capability: str, number: int | None) -> MajorVersion:
        """The major a request addresses; ``number`` None means the latest that is not sunset."""
        by_number = self.majors.get(capability)
        if by_number is None:
            raise GatewayProblem("not-found", f"No capability {capability!r}")
        if number is None:
            number = max(by_number)
        version = by_number.get(number)
        if version is None:
            known = ", ".join(f"v{n}" for n in sorted(by_number))
            raise GatewayProblem("not-found", f"{capability} has no major version {number}; it has {known}")
        return version


def _read(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot read the document: {error}") from error
    if not isinstance(document.get("paths"), dict):
        raise ConfigError(f"{path}: $.paths is missing")
    return document


def _compile(
    path: Path, document: dict[str, Any], capability: str, number: int, upstream: Upstream
) -> MajorVersion:
    version = MajorVersion(capability, number, upstream)
    components = document.get("components", {})
    for service_path, item in document["paths"].items():
        if not service_path.startswith(f"/v{number}/") and service_path != f"/v{number}":
            raise ConfigError(f"{path}: $.paths[{service_path!r}]: does not start with /v{number}")
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{path}: $.paths[{service_path!r}].{method}"
            if not op.get("operationId"):
                raise ConfigError(f"{where}.operationId: missing")
            scopes = frozenset(
                s for requirement in op.get("security", []) for s in requirement.get("oauth2", [])
            )
            body = None
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                try:
                    body = BodySchema(schema, components)
                except Exception as error:
                    raise ConfigError(f"{where}.requestBody: schema cannot be compiled: {error}") from error
            template = f"/{capability}{service_path}"
            version.add(
                service_path, method, Operation(version, method, template, op["operationId"], scopes, body)
            )
    return version


def _link_lifecycle(by_number: dict[int, MajorVersion]) -> None:
    numbers = sorted(by_number)
    for number in numbers:
        version = by_number[number]
        later = [n for n in numbers if n > number]
        if later:
            version.successor = by_number[later[0]].prefix
        upstream = version.upstream
        headers: RawHeaders = []
        if upstream.deprecated_at:
            headers.append((b"deprecation", f"@{int(upstream.deprecated_at.timestamp())}".encode()))
            if version.successor:
                headers.append((b"link", f'<{version.successor}>; rel="successor-version"'.encode()))
        if upstream.sunset_at:
            headers.append(
                (
                    b"sunset",
                    email.utils.format_datetime(upstream.sunset_at.astimezone(dt.UTC), usegmt=True).encode(),
                )
            )
        version.lifecycle_headers = headers
