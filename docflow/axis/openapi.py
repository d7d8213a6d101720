"""The OpenAPI 3.1 document of the axis API, served at ``/openapi.json``.

Written by hand next to the routes (:mod:`docflow.axis.app`) rather than generated: the API is
small, and its security (mutual TLS, the caller named by its client certificate) and its
refusals (a DF code and the findings) are what an integrator needs to read.
"""

from __future__ import annotations

from typing import Any

from docflow.axis.config import ServeConfig

__all__ = ["openapi_document"]

_REFUSAL = {"$ref": "#/components/schemas/Refusal"}


def _answer(description: str, schema: dict[str, Any] | None = None,
            media: str = "application/json") -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {media: {"schema": schema}}
    return out


def _refusals(*statuses: int) -> dict[str, Any]:
    words = {400: "Bad request (DF-AXS-009)", 401: "No client certificate naming an agency "
             "(DF-AXS-002)", 403: "From is not the caller (DF-AXS-003)",
             404: "No such message for the caller (DF-AXS-007)",
             409: "DocumentId already held with other content (DF-AXS-008)",
             408: "The body did not arrive whole in time (DF-AXS-016)",
             413: "Body over the size limit, refused before it was read (DF-AXS-001)",
             415: "Not application/xml (DF-AXS-009)",
             422: "Refused: validation or verification failed (DF-AXS-005, with findings), "
                  "unknown receiver (DF-AXS-004), or a status for no held document "
                  "(DF-AXS-006)",
             503: "The store failed (DF-AXS-012)"}
    return {str(s): _answer(words[s], _REFUSAL) for s in statuses}


def openapi_document(config: ServeConfig) -> dict[str, Any]:
    """The API of a service run with ``config`` (its URL and size limit)."""
    listing = {"type": "object", "properties": {
        "agency": {"type": "string"},
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Listing"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "docflow axis sandbox", "version": "1",
                 "description": "A local stand-in for Vietnam's national document axis "
                 "(Trục liên thông văn bản quốc gia): edXML messages (QCVN 102:2016/BTTTT) in "
                 "and out, every message validated and its signatures verified before it is "
                 "acknowledged. Callers authenticate with mutual TLS: the organizationIdentifier "
                 "of the client certificate is the caller's organ code."},
        "servers": [{"url": config.url}],
        "security": [{"mutualTLS": []}],
        "paths": {
            "/messages": {"post": {
                "summary": "Send a document or a status message",
                "description": "The body is one edXML message. Its From must be the caller. "
                f"Bodies over {config.max_bytes:,} bytes are refused from their "
                "Content-Length. The same bytes sent again get the same id (duplicate: true).",
                "requestBody": {"required": True, "content": {
                    "application/xml": {"schema": {"type": "string"}}}},
                "responses": {
                    "201": _answer("Acknowledged: stored durably before this answer",
                                   {"$ref": "#/components/schemas/Accepted"}),
                    "200": _answer("A resend of a message already acknowledged",
                                   {"$ref": "#/components/schemas/Accepted"}),
                    **_refusals(400, 401, 403, 409, 413, 415, 422, 503)}}},
            "/messages/inbox": {"get": {
                "summary": "What waits for the caller, oldest first",
                "description": "A document waits until the caller answers it with a status "
                "message; a status message until the caller fetches it.",
                "parameters": [{"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1,
                                           "maximum": 10000, "default": 1000}}],
                "responses": {"200": _answer("The waiting messages", listing),
                              **_refusals(400, 401)}}},
            "/messages/sent": {"get": {
                "summary": "What the caller sent, newest first, with each receiver's status",
                "parameters": [{"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1,
                                           "maximum": 10000, "default": 1000}}],
                "responses": {"200": _answer("The sent messages", listing),
                              **_refusals(400, 401)}}},
            "/messages/{id}": {"get": {
                "summary": "One message, byte for byte as it was acknowledged",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": _answer("The edXML message", {"type": "string"},
                                             "application/xml"),
                              **_refusals(401, 404)}}},
            "/agencies": {"get": {
                "summary": "The directory: every agency the axis serves",
                "responses": {"200": _answer("The agencies", {"type": "object", "properties": {
                    "agencies": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/Agency"}}}}),
                    **_refusals(401)}}},
            "/": {"get": {"summary": "The status page (HTML; no client certificate needed)",
                          "security": [],
                          "responses": {"200": _answer("HTML", {"type": "string"},
                                                       "text/html")}}},
            "/healthz": {"get": {"summary": "Liveness", "security": [],
                                 "responses": {"200": _answer("ok")}}},
        },
        "components": {
            "securitySchemes": {"mutualTLS": {"type": "mutualTLS", "description":
                                              "A TLS client certificate from 'docflow pki "
                                              "init' (agencies/<hub>/<code>.tls.pem)."}},
            "schemas": {
                "Accepted": {"type": "object", "required": ["accepted", "id", "duplicate"],
                             "properties": {
                                 "accepted": {"const": True}, "id": {"type": "integer"},
                                 "duplicate": {"type": "boolean"},
                                 "kind": {"enum": ["document", "status"]},
                                 "document_id": {"type": ["string", "null"]},
                                 "response_for": {"type": ["string", "null"]},
                                 "status_code": {"type": ["string", "null"]},
                                 "receivers": {"type": "array", "items": {"type": "string"}}}},
                "Refusal": {"type": "object", "required": ["accepted", "code", "message"],
                            "properties": {
                                "accepted": {"const": False},
                                "code": {"type": "string", "pattern": "^DF-[A-Z]+-[0-9]{3}$"},
                                "message": {"type": "string"}, "summary": {"type": "string"},
                                "verdict": {"enum": ["FAILED", "INDETERMINATE"]},
                                "codes": {"type": "array", "items": {"type": "string"}},
                                "findings": {"type": "array", "items": {"type": "object"}}}},
                "Listing": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "kind": {"enum": ["document", "status"]},
                    "from": {"type": "string"}, "document_id": {"type": ["string", "null"]},
                    "response_for": {"type": ["string", "null"]},
                    "status_code": {"type": ["string", "null"]},
                    "received_at": {"type": "number"}, "size": {"type": "integer"},
                    "receivers": {"type": "array", "items": {"type": "object"}}}},
                "Agency": {"type": "object", "properties": {
                    "organ_id": {"type": "string"}, "name": {"type": "string"},
                    "level": {"type": "string"}, "hub": {"type": "string"}}},
            }},
    }
