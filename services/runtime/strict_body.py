"""Request bodies decoded strictly by msgspec: ``"5"`` is not an integer, unknown fields are refused.

As in JSON Schema (the documents), ``5.0`` is an integer: a number is one whatever its spelling.

Litestar converts request data leniently; revgate's contracts promise strict types, so
handlers declare ``dto=StrictBody[Model]`` and get a decoder built once per handler.
The OpenAPI request body stays the model's own schema.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.dto._backend import DTOBackend
from litestar.dto.data_structures import DTOFieldDefinition
from litestar.openapi.spec import Reference, Schema
from litestar.typing import FieldDefinition

from services.runtime.problems import ProblemError

T = TypeVar("T")

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


class StrictBody(AbstractDTO[T]):
    """Decode the request body into ``T`` with a strict, reused msgspec decoder."""

    _decoders: ClassVar[dict[str, msgspec.json.Decoder[Any]]] = {}

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: type[DTOBackend] | None = None
    ) -> None:
        cls._decoders[handler_id] = msgspec.json.Decoder(cls.model_type, strict=True)

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(cls.model_type))

    def decode_bytes(self, value: bytes) -> Any:
        content_type = self.asgi_connection.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise ProblemError("unsupported-media-type", "Send the body as application/json")
        try:
            return self._decoders[self.asgi_connection.route_handler.handler_id].decode(value)
        except msgspec.ValidationError:
            # The documents are JSON Schema, where 5.0 is an integer (a number without a fraction);
            # msgspec's strict decoder refuses it. Only a refused body pays for a second look, with
            # integral floats made integers (float fields take integers, so nothing else changes).
            data = _integral_floats_as_ints(msgspec.json.decode(value))
            return msgspec.convert(data, self.model_type, strict=True)


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value
