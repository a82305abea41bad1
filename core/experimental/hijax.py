"""``jax.experimental.hijax``: the names flax.nnx declares its opt-in "hijax" Variables
with (``flax_hijax_variable``, off by default).

JAX's hi-level types let a program carry mutable, structured values through
transforms. glassbox has none: the classes here can be subclassed and registered, as
flax does when it is imported, but binding a ``HiPrimitive`` raises
``NotImplementedError``, so turning flax's hijax Variables on fails clearly instead of
computing something else. Plain nnx Variables (the default) do not use this module.
"""
from dataclasses import dataclass

from ..core import AbstractValue, Primitive  # noqa: F401  (flax annotates with it)
from ..interpreters.ad import Zero, instantiate_zeros, is_undefined_primal  # noqa: F401

_hitypes = {}   # value type -> function giving its abstract value (register_hitype)


def register_hitype(value_type, to_aval):
    """Declare ``value_type`` a hi-level type whose abstract value ``to_aval`` gives."""
    _hitypes[value_type] = to_aval


class HiPrimitive(Primitive):
    """A primitive over hi-level types; glassbox cannot run one."""

    def __init__(self, name):
        super().__init__(name, multiple_results=False)

    def bind(self, *args, **params):
        raise NotImplementedError(
            f"{self.name}: a hijax primitive (hi-level, mutable types), which glassbox "
            f"does not implement; with flax, leave flax_hijax_variable off (the default)")


class MutableHiType(AbstractValue):
    """The abstract value of a mutable hi-level type."""


@dataclass(frozen=True)
class AvalQDD:
    """An abstract value with its "quasi-dynamic data" (a hi-level type's structure)."""

    aval: object
    qdd: object


@dataclass(frozen=True)
class AvalMutableQDD:
    """As ``AvalQDD``, for a mutable value."""

    aval: object
    mutable_qdd: object


class aval_method:
    """A method of a hi-level value that its abstract value also has."""

    def __init__(self, fun):
        self.fun = fun

    def __get__(self, instance, owner=None):
        return self.fun if instance is None else self.fun.__get__(instance, owner)


class aval_property(property):
    """A property of a hi-level value that its abstract value also has."""


class _EffectTypes(set):
    def add_type(self, effect_type):
        self.add(effect_type)


control_flow_allowed_effects = _EffectTypes()   # effects allowed inside cond/scan bodies
