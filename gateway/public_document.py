"""The gateway's own OpenAPI document: every capability and major as the gateway exposes them.

Built once per configuration from the committed documents: public paths (``/{capability}`` in
front), operation ids and schema names made unique across capabilities and majors, the OAuth2
client-credentials scheme with every scope, deprecation, and the problems the gateway itself may
answer. Served at ``/openapi.json``; ``/docs`` renders it for people.
"""

from __future__ import annotations

import html
import json
from typing import Any, Final

from contracts.problem import PROBLEM_MEDIA_TYPE

#: What the gateway may answer on any operation, besides what the service documents.
_GATEWAY_ANSWERS: Final = {
    "401": "No valid access token (`unauthorized`)",
    "403": "The token lacks a scope this operation needs (`insufficient-scope`)",
    "404": "No such route (`not-found`)",
    "405": "Method not allowed here (`method-not-allowed`)",
    "413": "Body too large (`payload-too-large`)",
    "415": "Body not sent as JSON (`unsupported-media-type`)",
    "422": "Body does not match the schema (`invalid-body`)",
    "429": "Over the client's quota (`quota-exceeded`)",
    "502": "The capability failed to answer (`bad-gateway`)",
    "503": "The capability is unavailable (`upstream-unavailable`)",
    "504": "The capability did not answer in time (`gateway-timeout`)",
}


def _camel(*parts: str) -> str:
    words = [w for p in parts for w in p.replace("-", " ").replace("_", " ").split()]
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else ""


def _pascal(*parts: str) -> str:
    name = _camel(*parts)
    return name[:1].upper() + name[1:]


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                out[key] = "#/components/schemas/" + renames[value.rsplit("/", 1)[1]]
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def merged_document(
    documents: dict[tuple[str, int], dict[str, Any]],
    deprecated: set[tuple[str, int]],
    token_url: str,
) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    scopes: dict[str, str] = {}
    tags = []
    for (capability, major), document in sorted(documents.items()):
        tag = f"{capability} v{major}"
        tags.append({"name": tag, "description": document.get("info", {}).get("description", "")})
        renames: dict[str, str] = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            # The problem shapes are shared; others are named per capability and major.
            shared = name in ("Problem", "InvalidParam", "SystemState")
            if shared and (name not in schemas or schemas[name] == schema):
                renames[name] = name
            else:
                renames[name] = _pascal(capability, f"v{major}", name)
        for name, new in renames.items():
            schemas[new] = _rewrite_refs(document["components"]["schemas"][name], renames)
        flows = document.get("components", {}).get("securitySchemes", {}).get("oauth2", {}).get("flows", {})
        scopes.update(flows.get("clientCredentials", {}).get("scopes", {}))
        for path, item in document["paths"].items():
            public_item = {}
            for method, operation in item.items():
                op = _rewrite_refs(operation, renames)
                op["operationId"] = _camel(capability, f"v{major}", operation["operationId"])
                for response in op["responses"].values():
                    for link in response.get("links", {}).values():
                        link["operationId"] = _camel(capability, f"v{major}", link["operationId"])
                op["tags"] = [tag]
                if (capability, major) in deprecated:
                    op["deprecated"] = True
                for status, description in _GATEWAY_ANSWERS.items():
                    op["responses"].setdefault(status, _problem(description))
                public_item[method] = op
            paths[f"/{capability}{path}"] = public_item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "revgate",
            "version": "1",
            "description": "Every revgate capability as the gateway exposes it. "
            "Problem types: docs/problem-types.md.",
        },
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {"tokenUrl": token_url, "scopes": dict(sorted(scopes.items()))}
                    },
                }
            },
        },
    }


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


_PAGE: Final = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>revgate API</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 80rem }}
td, th {{ padding: .3rem .6rem; text-align: left; border-bottom: 1px solid #ddd }}
table {{ border-collapse: collapse }} pre {{ background: #f6f6f6; padding: .5rem }}
</style></head>
<body><h1>revgate API</h1>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>.
Tokens: OAuth 2.0 client credentials at <code>{token_url}</code>.</p>
<table><tr><th>method</th><th>path</th><th>what it does</th><th>scope</th><th>operationId</th></tr>
{rows}</table>
<h2>Schemas</h2>
{schemas}
</body></html>"""
_ROW: Final = (
    "<tr><td><code>{method}</code></td><td><code>{path}</code></td><td>{summary}</td>"
    "<td><code>{scopes}</code></td><td><code>{operation_id}</code></td></tr>"
)
_SCHEMA: Final = "<details><summary><code>{name}</code></summary><pre>{body}</pre></details>"


def docs_page(document: dict[str, Any]) -> bytes:
    """A self-contained HTML page of the document: works without any script or network."""
    e = html.escape
    rows = [
        _ROW.format(
            method=method.upper(),
            path=e(path),
            summary=e(op.get("summary", "")) + (" <em>(deprecated)</em>" if op.get("deprecated") else ""),
            scopes=e(" ".join(s for r in op.get("security", []) for s in r.get("oauth2", []))),
            operation_id=e(op["operationId"]),
        )
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]
    schemas = [
        _SCHEMA.format(name=e(name), body=e(json.dumps(schema, indent=2)))
        for name, schema in document["components"]["schemas"].items()
    ]
    token_url = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
    return _PAGE.format(token_url=e(token_url), rows="\n".join(rows), schemas="\n".join(schemas)).encode()
