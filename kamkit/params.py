"""A plugin's parameters: each with its default, its kind, the clause it serves and its basis.

An organisation overrides a parameter per business line; ``Param.parse`` checks the override
against the parameter's kind and bounds and names it in the error (``ConfigError``) when it does
not fit. Bounds: ``positive`` for a figure the rules divide by (a VAT divisor, a step), where 0
would stop the run with a division by zero; ``minimum`` for one with a least meaningful value (a
count of months). The number kinds refuse a negative value already.
``basis`` says where the default comes from (docs/rules.md): ``seed`` (a figure of the seed
document), ``default`` (the suite's choice where the seed gives none), ``reading`` (the suite's
reading of unclear or contradictory text).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, validate

from .errors import ConfigError, flatten
from .facts_schema import Number

# Parameter kinds and how an override of each is validated (KINDS: their names).
KIND_FIELDS = {
    "money": lambda: Number(),
    "rate": lambda: Number(maximum=1),  # a fraction: 0.08 is 8%
    "ratio": lambda: Number(),  # a fraction or multiple, e.g. 1.2 = 120%
    "points": lambda: Number(),
    "int": lambda: fields.Integer(strict=True),
    "days": lambda: fields.Integer(strict=True, validate=validate.Range(min=1)),
    "bool": lambda: fields.Boolean(),
    "text": lambda: fields.String(validate=validate.Length(min=1)),  # e.g. a role key
    "table": lambda: fields.List(fields.Dict(keys=fields.String(), values=Number(minimum=None))),
    "map": lambda: fields.Dict(keys=fields.String(), values=Number(minimum=None)),
    "list": lambda: fields.List(fields.String(validate=validate.Length(min=1))),  # e.g. revenue kinds
}


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    kind: str  # one of KIND_FIELDS
    clause: str
    doc: str
    basis: str = "seed"  # seed | default | reading (docs/rules.md markers)
    choices: tuple[str, ...] = ()  # a text parameter's allowed values (empty: any text)
    positive: bool = False  # a number the rules divide by: above 0
    minimum: Decimal | int | None = None  # a number's least value (None: the kind's own)

    def parse(self, value: Any) -> Any:
        bound = self._out_of_bounds(value)
        if bound:
            raise ConfigError(bound, field=self.name)
        try:
            parsed = KIND_FIELDS[self.kind]().deserialize(value)
        except ValidationError as exc:
            raise ConfigError(
                flatten(exc.messages, self.name) or [{"field": self.name, "message": str(exc)}]
            ) from None
        if self.choices and parsed not in self.choices:
            raise ConfigError(f"must be one of {', '.join(self.choices)}, got {parsed!r}", field=self.name)
        return parsed

    def _out_of_bounds(self, value: Any) -> str | None:
        """What a number outside the bounds breaks, checked before the kind so that a negative
        divisor is told it must be above 0 (the kind alone would say ">= 0", and 0 fails too).
        Not a number: None, the kind says what is wrong."""
        if not (self.positive or self.minimum is not None) or isinstance(value, bool):
            return None
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
        if not number.is_finite():
            return None
        if self.positive and number <= 0:
            return f"must be > 0, got {value}"
        if self.minimum is not None and number < self.minimum:
            return f"must be >= {self.minimum}, got {value}"
        return None


KINDS = tuple(KIND_FIELDS)


def assignment_value(text: str) -> Any:
    """A parameter's value as written after ``name=`` on a command line or in a query: read as
    YAML, so 5, 0.08, [..] and {..} work; a decimal stays text, for Decimal to read exactly."""
    import yaml

    parsed = yaml.safe_load(text)
    return str(parsed) if isinstance(parsed, float) else parsed
