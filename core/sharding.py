"""``glassbox.sharding``: how an array's elements are laid out over devices.

A ``Mesh`` arranges devices in an n-dimensional grid with named axes; a
``PartitionSpec`` says, per array dimension, which mesh axes split it; a
``NamedSharding`` is the pair. Everything that *runs* sharded goes through
XLA: a sharding becomes an HLO sharding (``{devices=[4,1,2]... }``, the
layout of device buffers jaxlib's C++ arrays carry) and a Shardy attribute
(``#sdy.sharding<@mesh, [{"x"}, {}]>``, what lowering writes into the
module for XLA's SPMD partitioner). This module only computes layouts:
which slice of an array each device holds; it never moves data itself.

Device positions in HLO shardings are *logical*: the position of a device in
the flat device list of the mesh, which is the device assignment every
executable over that mesh is compiled with.
"""
import contextlib
import enum
import functools
import itertools
import math

import numpy as np

from . import runtime


class IndivisibleError(ValueError):
    """An array dimension does not divide evenly over the devices that split it."""


class DuplicateSpecError(ValueError):
    """A mesh axis appears more than once in a ``PartitionSpec``."""


class AxisType(enum.Enum):
    """How a mesh axis is treated: ``Auto`` (XLA propagates shardings through the
    program), ``Explicit`` (the sharding is part of each value's type) or ``Manual``
    (inside ``shard_map``: each device sees its own block)."""
    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self):
        return self.name


class _Unconstrained:
    def __repr__(self):
        return "UNCONSTRAINED"


class PartitionSpec(tuple):
    """Per array dimension: ``None`` (not split), a mesh axis name, or a tuple of
    names (split over their product). Missing trailing dimensions are not split.

    ``P.UNCONSTRAINED`` leaves a dimension for XLA to decide."""

    UNCONSTRAINED = _Unconstrained()

    def __new__(cls, *partitions, unreduced=frozenset(), reduced=frozenset()):
        parts = []
        for p in partitions:
            if isinstance(p, list):
                p = tuple(p)
            if isinstance(p, tuple) and len(p) == 1:
                p = p[0]
            elif isinstance(p, tuple) and not p:
                p = None
            if not (p is None or p is cls.UNCONSTRAINED or isinstance(p, str)
                    or (isinstance(p, tuple) and all(isinstance(a, str) for a in p))):
                raise TypeError(f"PartitionSpec entries must be None, a mesh axis name or a "
                                f"tuple of names; got {p!r}")
            parts.append(p)
        spec = super().__new__(cls, parts)
        spec.unreduced, spec.reduced = frozenset(unreduced), frozenset(reduced)
        return spec

    def __repr__(self):
        inner = ", ".join(repr(p) for p in self)
        return f"P({inner},)" if len(self) == 1 else f"P({inner})"

    __str__ = __repr__

    def __eq__(self, other):
        # As JAX's: P('x') and P('x', None) are different specs (with the same layout:
        # ``Sharding.is_equivalent_to`` compares layouts).
        return (isinstance(other, PartitionSpec) and tuple(self) == tuple(other)
                and self.unreduced == other.unreduced and self.reduced == other.reduced)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(tuple(self))

    def _padded(self, ndim):
        """The entries for an ``ndim``-dimensional array (trailing Nones dropped at 0)."""
        parts = list(self) + [None] * max(0, ndim - len(self))
        while ndim == 0 and parts and parts[-1] is None:
            parts.pop()
        return tuple(parts)

    def axes_of(self, dim):
        """The mesh axes splitting dimension ``dim`` (a tuple, maybe empty)."""
        p = self[dim] if dim < len(self) else None
        if p is None or p is self.UNCONSTRAINED:
            return ()
        return p if isinstance(p, tuple) else (p,)

    def used_axes(self):
        return [a for dim in range(len(self)) for a in self.axes_of(dim)]

    @property
    def partitions(self):
        return tuple(self)


P = PartitionSpec
PartitionSpec.__module__ = "glassbox.sharding"


# ---------------------------------------------------------------------------
# Meshes


def _axis_types(axis_names, axis_types, name):
    if axis_types is None:
        return (AxisType.Auto,) * len(axis_names)
    if not isinstance(axis_types, tuple):
        axis_types = (axis_types,)
    if not all(isinstance(a, AxisType) for a in axis_types):
        raise TypeError(f"axis_types passed to {name} must be of type "
                        f"`glassbox.sharding.AxisType`. Got {axis_types}")
    if len(axis_types) != len(axis_names):
        raise ValueError(f"Number of axis names should match the number of axis_types. Got "
                         f"axis_names={axis_names} and axis_types={axis_types}")
    return axis_types


class AbstractMesh:
    """A mesh's shape and axis names, without devices (what types name)."""

    def __init__(self, axis_sizes, axis_names, axis_types=None):
        self.axis_sizes, self.axis_names = tuple(axis_sizes), tuple(axis_names)
        if len(self.axis_sizes) != len(self.axis_names):
            raise ValueError(f"axis_sizes {self.axis_sizes} and axis_names "
                             f"{self.axis_names} must have the same length")
        self.axis_types = _axis_types(self.axis_names, axis_types, "AbstractMesh")

    @property
    def shape(self):
        return dict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        return math.prod(self.axis_sizes)

    @property
    def empty(self):
        return not self.axis_names

    @property
    def abstract_mesh(self):
        return self

    def _key(self):
        return (self.axis_sizes, self.axis_names, self.axis_types)

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.empty:
            return "AbstractMesh((), axis_types=())"
        inner = ", ".join(f"'{n}': {s}" for n, s in self.shape_tuple)
        return f"AbstractMesh({inner}, axis_types={self.axis_types})"


class Mesh(contextlib.ContextDecorator):
    """Devices in a grid with named axes: ``Mesh(np.array(devices).reshape(4, 2), ('x', 'y'))``.

    ``with mesh:`` makes it the mesh of bare ``PartitionSpec``s (as ``set_mesh``)."""

    def __init__(self, devices, axis_names, axis_types=None):
        devices = np.asarray(devices, dtype=object)
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        self.devices, self.axis_names = devices, tuple(axis_names)
        if devices.ndim != len(self.axis_names):
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to "
                             f"equal the length of its second argument (`axis_names`), got "
                             f"devices.ndim == {devices.ndim} and len(axis_names) == "
                             f"{len(self.axis_names)}.")
        if len(set(self.axis_names)) != len(self.axis_names):
            raise ValueError(f"Mesh axis names must be unique, got {self.axis_names}")
        ids = [d.id for d in devices.flat]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Mesh devices must be distinct, got device ids {ids}")
        self.axis_types = _axis_types(self.axis_names, axis_types, "Mesh")
        self._stack = []

    @property
    def axis_sizes(self):
        return self.devices.shape

    @property
    def shape(self):
        return dict(zip(self.axis_names, self.devices.shape))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.devices.shape))

    @property
    def size(self):
        return self.devices.size

    @property
    def empty(self):
        return self.devices.size == 0

    @functools.cached_property
    def device_ids(self):
        return np.vectorize(lambda d: d.id, otypes=[int])(self.devices)

    @functools.cached_property
    def flat_devices(self):
        """The devices in mesh order: the device assignment of programs over this mesh."""
        return tuple(self.devices.flat)

    @property
    def local_devices(self):
        here = runtime.process_index()
        return [d for d in self.flat_devices if d.process_index == here]

    @property
    def is_multi_process(self):
        return len({d.process_index for d in self.flat_devices}) > 1

    @property
    def abstract_mesh(self):
        return AbstractMesh(self.axis_sizes, self.axis_names, self.axis_types)

    @functools.cached_property
    def _key(self):
        return (tuple(self.device_ids.flat), self.devices.shape, self.axis_names,
                self.axis_types)

    @functools.cached_property
    def _hash(self):
        return hash(self._key)

    def __eq__(self, other):
        return self is other or (isinstance(other, Mesh) and self._hash == other._hash
                                 and self._key == other._key)

    def __hash__(self):
        return self._hash

    def __enter__(self):
        self._stack.append(set_mesh(self))
        return self

    def __exit__(self, *exc):
        self._stack.pop().__exit__(*exc)
        return False

    def __repr__(self):
        if self.empty:
            return "Mesh(axis_sizes=(), axis_names=())"
        return (f"Mesh(axis_sizes={self.axis_sizes}, axis_names={self.axis_names!r}, "
                f"axis_types={self.axis_types})")

    def __str__(self):
        if self.empty:
            return "Mesh()"
        inner = ", ".join(f"'{n}': {s}" for n, s in self.shape_tuple)
        return f"Mesh({inner}, axis_types={self.axis_types})"

    # --- the layouts of programs over this mesh
    def sdy_declaration(self):
        """The module-level Shardy mesh of programs over this mesh."""
        axes = ", ".join(f'"{n}"={s}' for n, s in self.shape_tuple)
        return f"sdy.mesh @mesh = <[{axes}]>"


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """A mesh of ``axis_shapes`` over ``devices`` (default: all), named ``axis_names``.

    As in JAX 0.10, axes are ``Explicit`` unless ``axis_types`` says otherwise."""
    axis_shapes, axis_names = tuple(axis_shapes), tuple(axis_names)
    if len(axis_shapes) != len(axis_names):
        raise ValueError(f"Length of axis_shapes {axis_shapes} and axis_names {axis_names} "
                         f"must match")
    devices = list(runtime.devices() if devices is None else devices)
    size = math.prod(axis_shapes)
    if size > len(devices):
        raise ValueError(f"Number of devices {len(devices)} must be >= the product of mesh "
                         f"shape {size}")
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(axis_names)
    grid = np.array(devices[:size], dtype=object).reshape(axis_shapes)
    return Mesh(grid, axis_names, axis_types)


# ---------------------------------------------------------------------------
# The mesh in context (``set_mesh``)

_context = [None]


class set_mesh:
    """Make ``mesh`` the current mesh, the one bare ``PartitionSpec``s refer to: for the
    rest of the program, or for a block as ``with set_mesh(mesh):``."""

    def __init__(self, mesh):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"set_mesh expects a glassbox.sharding.Mesh, got "
                            f"{type(mesh).__name__}")
        self.mesh, self.previous, _context[0] = mesh, _context[0], mesh

    def __enter__(self):
        return self.mesh

    def __exit__(self, *exc):
        _context[0] = self.previous
        return False


use_mesh = set_mesh


def get_mesh():
    return _context[0] if _context[0] is not None else Mesh(np.empty((0,), object), ("_",))


def get_abstract_mesh():
    mesh = _context[0]
    return mesh.abstract_mesh if mesh is not None else AbstractMesh((), ())


def current_mesh():
    """The mesh set by ``set_mesh``, or None."""
    return _context[0]


# ---------------------------------------------------------------------------
# Shardings


class Sharding:
    """How an array of a given shape is laid out: which index of it each device holds."""

    memory_kind = "device"

    # --- what subclasses give
    @property
    def _devices(self):
        """The devices in logical order (positions in ``_tile_array``)."""
        raise NotImplementedError

    def _tile_array(self, ndim):
        """Logical device positions, shaped ``[tiles per dim..., replicas]``."""
        raise NotImplementedError

    # --- derived
    @property
    def device_set(self):
        return set(self._devices)

    @property
    def num_devices(self):
        return len(self._devices)

    @property
    def addressable_devices(self):
        here = runtime.process_index()
        return {d for d in self._devices if d.process_index == here}

    @property
    def is_fully_addressable(self):
        return len(self.addressable_devices) == self.num_devices

    @property
    def _device_assignment(self):
        return tuple(self._devices)

    def tiles(self, ndim):
        return self._tile_array(ndim).shape[:ndim]

    def is_fully_replicated_for(self, ndim):
        return math.prod(self.tiles(ndim)) == 1

    @property
    def is_fully_replicated(self):
        return self.is_fully_replicated_for(8)

    def check_shape(self, shape):
        """Raise ``IndivisibleError`` unless every split dimension divides evenly."""
        tiles = self.tiles(len(shape))
        for i, (n, t) in enumerate(zip(shape, tiles)):
            if n % t:
                raise IndivisibleError(
                    f"Sharding {self!r} implies that array axis {i} is partitioned {t} times, "
                    f"but the dimension size is {n} (full shape: {tuple(shape)}, "
                    f"per-dimension tiling factors: {list(tiles)} should evenly divide the "
                    f"shape)")

    def shard_shape(self, shape):
        self.check_shape(shape)
        return tuple(n // t for n, t in zip(shape, self.tiles(len(shape))))

    def _placements(self, shape):
        """``[(device, index, replica_id)]`` in logical device order."""
        ndim = len(shape)
        tiles = self._tile_array(ndim)
        block = self.shard_shape(shape)
        where = {}
        for coords in itertools.product(*map(range, tiles.shape)):
            index = tuple(slice(c * b, (c + 1) * b) if t > 1 else slice(None)
                          for c, b, t in zip(coords, block, tiles.shape))
            where[int(tiles[coords])] = (index, coords[ndim] if len(coords) > ndim else 0)
        return [(d, *where[i]) for i, d in enumerate(self._devices)]

    def devices_indices_map(self, shape):
        return {d: index for d, index, _ in self._placements(tuple(shape))}

    def addressable_devices_indices_map(self, shape):
        here = runtime.process_index()
        return {d: i for d, i in self.devices_indices_map(shape).items()
                if d.process_index == here}

    def is_equivalent_to(self, other, ndim):
        return (isinstance(other, Sharding) and self._devices == other._devices
                and np.array_equal(self._tile_array(ndim), other._tile_array(ndim)))

    # --- what jaxlib and XLA see
    def hlo_text(self, ndim):
        """The HLO sharding (``{devices=[2,1]0,1}``, ``{replicated}``) over ``_devices``."""
        tiles = self._tile_array(ndim)
        if tiles.size == 1 or math.prod(tiles.shape[:ndim]) == 1:
            return "{replicated}"
        dims = list(tiles.shape[:ndim])
        replicated = tiles.shape[ndim] if tiles.ndim > ndim else 1
        ids = ",".join(str(int(i)) for i in tiles.flat)
        suffix = " last_tile_dim_replicate" if replicated > 1 else ""
        dims += [replicated] if replicated > 1 else []
        return f"{{devices=[{','.join(map(str, dims))}]{ids}{suffix}}}"

    def cpp(self, ndim):
        """jaxlib's C++ sharding of an ``ndim``-dimensional array laid out this way."""
        key = (self, ndim)
        found = _CPP.get(key)
        if found is None:
            found = _CPP[key] = runtime.gspmd_sharding(self._devices, self.hlo_text(ndim))
            _FROM_CPP[id(found)] = self
        return found


_CPP = {}        # (sharding, ndim) -> jaxlib sharding: one per layout, kept for good
_FROM_CPP = {}   # id(jaxlib sharding) -> the sharding it was made from


class NamedSharding(Sharding):
    """``NamedSharding(mesh, PartitionSpec('x', None))``: split dimension 0 over mesh
    axis ``x``; mesh axes no dimension uses hold replicas."""

    def __init__(self, mesh, spec, *, memory_kind=None):
        if not isinstance(spec, PartitionSpec):
            if spec is None:
                spec = PartitionSpec()
            elif isinstance(spec, (tuple, list)):
                spec = PartitionSpec(*spec)
            else:
                raise TypeError(f"NamedSharding's spec must be a PartitionSpec, got {spec!r}")
        if not isinstance(mesh, (Mesh, AbstractMesh)):
            raise TypeError(f"NamedSharding's mesh must be a Mesh, got {type(mesh).__name__}")
        self.mesh, self.spec = mesh, spec
        self._memory_kind = memory_kind
        _check_spec(mesh, spec)

    @property
    def memory_kind(self):
        return self._memory_kind or "device"

    @property
    def _devices(self):
        return self.mesh.flat_devices

    def _tile_array(self, ndim):
        return _named_tiles(self.mesh.axis_names, self.mesh.axis_sizes, self.spec, ndim)

    def sdy_text(self, ndim, open_dims=False):
        """The Shardy attribute of an ``ndim``-dimensional value laid out this way."""
        dims = []
        for d in range(ndim):
            p = self.spec[d] if d < len(self.spec) else None
            if p is PartitionSpec.UNCONSTRAINED:
                dims.append("{?}")
                continue
            axes = ", ".join(f'"{a}"' for a in self.spec.axes_of(d))
            dims.append("{" + axes + (", ?" if open_dims and axes else "?" if open_dims else "")
                        + "}")
        return f"#sdy.sharding<@mesh, [{', '.join(dims)}]>"

    def type_for(self, ndim):
        """The sharding an ``ndim``-dimensional value laid out this way has in its type:
        the spec over the abstract mesh, one entry per dimension, ``Explicit`` axes
        only (None when no dimension is split over one)."""
        mesh = self.mesh
        explicit = {n for n, t in zip(mesh.axis_names, mesh.axis_types)
                    if t is AxisType.Explicit}
        if not explicit:
            return None
        parts = []
        for d in range(ndim):
            axes = tuple(a for a in self.spec.axes_of(d) if a in explicit)
            parts.append(axes[0] if len(axes) == 1 else (axes or None))
        if all(p is None for p in parts):
            return None
        return NamedSharding(mesh.abstract_mesh, PartitionSpec(*parts))

    def with_spec(self, spec):
        return NamedSharding(self.mesh, spec, memory_kind=self._memory_kind)

    def __eq__(self, other):
        return self is other or (isinstance(other, NamedSharding) and self.mesh == other.mesh
                                 and self.spec == other.spec
                                 and self.memory_kind == other.memory_kind)

    def __hash__(self):
        h = self.__dict__.get("_hash")
        if h is None:
            h = self.__dict__["_hash"] = hash((self.mesh, self.spec))
        return h

    def __repr__(self):
        return (f"NamedSharding(mesh={self.mesh}, spec={self.spec}, "
                f"memory_kind={self.memory_kind})")


def _check_spec(mesh, spec):
    seen = set()
    for axis in spec.used_axes():
        if axis not in mesh.axis_names:
            raise ValueError(f"Resource axis: {axis} of {spec} is not found in mesh: "
                             f"{mesh.axis_names}.")
        if axis in seen:
            raise DuplicateSpecError(
                f"A single NamedSharding spec specification can map every mesh axis to at "
                f"most one positional dimension, but {spec} has duplicate entries for `{axis}`")
        seen.add(axis)


@functools.lru_cache(maxsize=1024)
def _named_tiles(axis_names, axis_sizes, spec, ndim):
    """Logical device positions laid out as [tiles of dim 0, ..., of dim ndim-1, replicas].

    The mesh's position grid is transposed so that each dimension's axes come in spec
    order, then the axes no dimension uses, and reshaped: that is how JAX (and XLA's
    iota tile assignments) order a named sharding's devices."""
    if len(spec) > ndim and any(spec.axes_of(d) for d in range(ndim, len(spec))):
        raise ValueError(f"PartitionSpec {spec} has {len(spec)} entries, but the array has "
                         f"only {ndim} dimensions")
    positions = np.arange(math.prod(axis_sizes)).reshape(axis_sizes)
    index = {n: i for i, n in enumerate(axis_names)}
    order, tiles = [], []
    for d in range(ndim):
        axes = spec.axes_of(d)
        order += [index[a] for a in axes]
        tiles.append(math.prod(axis_sizes[index[a]] for a in axes))
    rest = [i for i in range(len(axis_names)) if i not in order]
    replicas = math.prod(axis_sizes[i] for i in rest)
    return positions.transpose(order + rest).reshape(tiles + [replicas])


class SingleDeviceSharding(Sharding):
    """The whole array on one device."""

    def __init__(self, device, *, memory_kind=None):
        self._device = device
        self._memory_kind = memory_kind

    @property
    def _devices(self):
        return (self._device,)

    def _tile_array(self, ndim):
        return np.zeros((1,) * (ndim + 1), dtype=int)

    def __eq__(self, other):
        return isinstance(other, SingleDeviceSharding) and self._device == other._device

    def __hash__(self):
        return hash(("single", self._device))

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r}, memory_kind={self.memory_kind})"


class GSPMDSharding(Sharding):
    """A layout XLA chose that no ``PartitionSpec`` over the known mesh expresses:
    the devices and the HLO sharding as they are."""

    def __init__(self, devices, hlo_text, ndim):
        self.__devices, self._hlo, self._ndim = tuple(devices), hlo_text, ndim
        self._tiles = _tiles_of_hlo(runtime.hlo_sharding_layout(hlo_text), ndim,
                                     len(self.__devices))

    @property
    def _devices(self):
        return self.__devices

    def _tile_array(self, ndim):
        return self._tiles

    def hlo_text(self, ndim):
        return self._hlo

    def __eq__(self, other):
        return (isinstance(other, GSPMDSharding) and self._devices == other._devices
                and self._hlo == other._hlo)

    def __hash__(self):
        return hash((self._devices, self._hlo))

    def __repr__(self):
        return f"GSPMDSharding({self._hlo})"


def _tiles_of_hlo(layout, ndim, n_devices):
    dims, ids, replicated = layout
    if dims is None:   # every device holds the whole array
        return np.arange(n_devices).reshape((1,) * ndim + (n_devices,))
    arr = np.array(ids, dtype=int).reshape(dims)
    return arr if replicated else arr.reshape(list(dims) + [1])


# ---------------------------------------------------------------------------
# From jaxlib's layouts back to shardings


def of_cpp(cpp, ndim):
    """The sharding a jaxlib sharding was made from (``Sharding.cpp``), or one rebuilt
    from its devices and HLO sharding."""
    found = _FROM_CPP.get(id(cpp))
    if found is not None:
        return found
    devices, hlo = runtime.sharding_parts(cpp)
    if len(devices) == 1:
        return SingleDeviceSharding(devices[0])
    return GSPMDSharding(devices, hlo, ndim)


def from_hlo(hlo_text, ndim, mesh):
    """The ``NamedSharding`` over ``mesh`` whose layout is ``hlo_text`` (as XLA reports
    an executable's parameter or result), or a ``GSPMDSharding`` when none is."""
    target = GSPMDSharding(mesh.flat_devices, hlo_text, ndim)
    for spec in _candidate_specs(mesh.axis_names, ndim):
        candidate = NamedSharding(mesh, spec)
        if np.array_equal(candidate._tile_array(ndim), target._tile_array(ndim)):
            return candidate
    return target


@functools.lru_cache(maxsize=256)
def _candidate_specs(axis_names, ndim):
    """Every spec over ``axis_names`` for ``ndim`` dimensions, fewest split axes first."""
    specs = [PartitionSpec()]
    for k in range(1, len(axis_names) + 1):
        for axes in itertools.permutations(axis_names, k):
            for dims in itertools.product(range(ndim), repeat=k):
                parts = [[] for _ in range(ndim)]
                for a, d in zip(axes, dims):
                    parts[d].append(a)
                spec = PartitionSpec(*PartitionSpec(*[tuple(p) or None for p in parts])
                                     ._padded(0))   # as JAX prints them: no trailing None
                if spec not in specs:
                    specs.append(spec)
    return tuple(specs)


# ---------------------------------------------------------------------------
# Shards of an array


class Shard:
    """One device's piece of an array: ``device``, ``index`` (a tuple of slices into the
    global array), ``replica_id`` and ``data`` (a single-device Array)."""

    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device, index, replica_id, data):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self):
        return (f"Shard(device={self.device!r}, index={self.index}, "
                f"replica_id={self.replica_id}, data={self.data})")


class Spmd:
    """Where a partitioned program runs: over ``mesh``'s devices, each input and output
    laid out as asked (a ``NamedSharding`` over ``mesh``, or None: XLA decides).

    It stands where a device stands for single-device programs (``compile_jaxpr``'s
    placement), so it is hashable: programs are compiled once per placement."""

    __slots__ = ("mesh", "in_shardings", "out_shardings")

    def __init__(self, mesh, in_shardings, out_shardings):
        self.mesh = mesh
        self.in_shardings, self.out_shardings = tuple(in_shardings), tuple(out_shardings)

    @property
    def devices(self):
        return self.mesh.flat_devices

    def _key(self):
        return (self.mesh, self.in_shardings, self.out_shardings)

    def __eq__(self, other):
        return type(other) is Spmd and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def attrs(self, shardings, avals):
        """The Shardy attribute of each input or output (None where XLA decides)."""
        return [None if s is None else f"sdy.sharding = {s.sdy_text(len(a.shape))}"
                for s, a in zip(shardings, avals)]

    def __repr__(self):
        return f"Spmd({self.mesh}, in={self.in_shardings}, out={self.out_shardings})"


def _mesh_of(sharding):
    if isinstance(sharding, NamedSharding) and isinstance(sharding.mesh, Mesh):
        return sharding.mesh
    raise NotImplementedError(
        f"glassbox runs programs over one mesh; an argument laid out as {sharding!r} has "
        f"none. Lay it out with a NamedSharding (device_put(x, NamedSharding(mesh, spec))).")


def common_mesh(shardings):
    """The one mesh of several arguments' shardings, or JAX's ValueError naming both."""
    mesh = None
    for s in shardings:
        m = _mesh_of(s)
        if mesh is None:
            mesh = m
        elif m != mesh:
            if m.flat_devices != mesh.flat_devices:
                raise ValueError(f"Received incompatible devices for jitted computation. Got "
                                 f"arguments on mesh {mesh} ({_ids(mesh)}) and on mesh {m} "
                                 f"({_ids(m)}); move them to one mesh with device_put.")
            raise ValueError(f"Mesh shape of the input {m.shape_tuple} does not match the "
                             f"mesh shape of another input {mesh.shape_tuple}: use one mesh.")
    return mesh


def _ids(mesh):
    return "device ids " + ", ".join(str(d.id) for d in mesh.flat_devices)


def reshard(x, out_shardings):
    """Lay out ``x`` (a pytree) as ``out_shardings``: moved now if concrete, constrained
    if traced (``lax.with_sharding_constraint`` fills this in: it binds a primitive)."""
    return _RESHARD[0](x, out_shardings)


_RESHARD = [None]


def resolve(sharding_or_spec, what="device_put"):
    """A ``Sharding`` from a sharding, or from a bare ``PartitionSpec`` and the current mesh."""
    if isinstance(sharding_or_spec, Sharding):
        return sharding_or_spec
    if isinstance(sharding_or_spec, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"{what} got a PartitionSpec {sharding_or_spec} without a mesh: "
                             f"use `with glassbox.sharding.set_mesh(mesh):` or pass "
                             f"NamedSharding(mesh, spec)")
        return NamedSharding(mesh, sharding_or_spec)
    raise TypeError(f"{what} expects a Sharding or a PartitionSpec, got "
                    f"{type(sharding_or_spec).__name__}")


__all__ = ["Spmd", "AbstractMesh", "AxisType", "Mesh", "NamedSharding", "PartitionSpec",
           "Sharding", "SingleDeviceSharding", "get_abstract_mesh", "get_mesh", "set_mesh",
           "use_mesh", "make_mesh", "reshard", "P", "Shard", "IndivisibleError", "DuplicateSpecError"]
