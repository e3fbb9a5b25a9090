"""kamkit.frozen.quick_init: the same objects as dataclasses' own __init__ makes, only faster."""

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from kamkit.explain import Line
from kamkit.frozen import quick_init


@dataclass(frozen=True, slots=True)
class Plain:
    a: str
    b: Decimal = Decimal(0)
    c: dict = field(default_factory=dict)


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    a: str
    b: Decimal = Decimal(0)
    c: dict = field(default_factory=dict)


def _fields(obj):
    return [getattr(obj, f.name) for f in dataclasses.fields(obj)]


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (("x",), {}),
        (("x", Decimal("1.5")), {}),
        (("x",), {"c": {"k": 1}}),
        ((), {"a": "x", "b": Decimal(2), "c": {}}),
    ],
)
def test_the_same_fields_as_dataclasses_makes(args, kwargs):
    assert _fields(Quick(*args, **kwargs)) == _fields(Plain(*args, **kwargs))


def test_still_frozen_hashable_comparable_and_replaceable():
    one, two = Quick("x", Decimal(1), {}), Quick("x", Decimal(1), {})
    assert one == two and one != Quick("y")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = "y"
    assert Quick("x").c is not Quick("x").c  # a fresh default each time, as default_factory gives
    assert dataclasses.replace(one, a="z") == Quick("z", Decimal(1), {})
    assert hash(Quick("x", Decimal(1), ())) == hash(Quick("x", Decimal(1), ()))
    with pytest.raises(TypeError):
        Quick()  # a required field is still required
    with pytest.raises(TypeError):
        Quick("x", d=1)  # and no unknown one is taken


def test_lines_are_built_by_it():
    line = Line("p", "role", Decimal(1), "points", "k", "c", "zh", "en")
    assert line.inputs == {} and line.to_dict()["figure"] == "1"
    assert Line.__init__.__qualname__ == "Line.__init__"
