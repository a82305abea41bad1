"""Pytrees: nested containers of arrays that transforms look through.

Built-in nodes: tuple, list, dict (keys sorted, as in JAX), None (no leaves),
namedtuples, OrderedDict, defaultdict. Register your own containers with
``register_pytree_node``, ``register_pytree_node_class`` or
``register_dataclass``. Everything else is a leaf.
"""
import collections
import dataclasses
import difflib
import functools
import operator
import textwrap
import typing
from typing import NamedTuple

from . import runtime

_registry = {}
_BUILT_INTO_JAXLIB = (tuple, list, dict, type(None))   # runtime.pytree_registry's own nodes


class _Node(NamedTuple):
    flatten: callable       # node -> (children, aux)
    unflatten: callable     # (aux, children) -> node
    flatten_with_keys: callable = None


def register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func=None):
    """Teach glassbox to look inside ``nodetype``.

    ``flatten_func(node) -> (children, aux_data)``; ``unflatten_func(aux_data, children) -> node``;
    ``flatten_with_keys_func`` (optional) as in ``register_pytree_with_keys``. Without it
    the children's key paths are ``FlattenedIndexKey(i)``.
    """
    if nodetype in _registry:
        raise ValueError(f"{nodetype.__name__} is already registered as a pytree node")
    _registry[nodetype] = _Node(flatten_func, unflatten_func, flatten_with_keys_func)
    if nodetype not in _BUILT_INTO_JAXLIB:   # the C++ jit fast path flattens arguments too
        runtime.pytree_registry.register_node(nodetype, flatten_func, unflatten_func,
                                              flatten_with_keys_func)


def register_pytree_node_class(cls):
    """Class decorator: ``cls.tree_flatten()`` and ``cls.tree_unflatten(aux, children)``."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    """``register_pytree_node`` whose flattening names each child, for key paths.

    ``flatten_with_keys(node) -> ([(key, child), ...], aux_data)``, the keys being
    ``GetAttrKey``/``DictKey``/``SequenceKey`` or any object with a ``str``; they are
    what ``tree_flatten_with_path`` and ``keystr`` report. ``flatten_func`` (optional)
    gives the same children without keys, for speed.

    Example::

        register_pytree_with_keys(
            Pair, lambda p: (((GetAttrKey("a"), p.a), (GetAttrKey("b"), p.b)), None),
            lambda _, children: Pair(*children))
        tree_leaves_with_path(Pair(1, 2))   # [((GetAttrKey(name='a'),), 1), ...]
    """
    if not flatten_func:
        def flatten_func(node):
            keyed, aux = flatten_with_keys(node)
            return [child for _, child in keyed], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_with_keys_class(cls):
    """Class decorator: ``cls.tree_flatten_with_keys()`` (and ``cls.tree_flatten()`` if
    defined) and ``cls.tree_unflatten(aux, children)``."""
    flatten = operator.methodcaller("tree_flatten") if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(cls, operator.methodcaller("tree_flatten_with_keys"),
                              cls.tree_unflatten, flatten)
    return cls


def register_static(cls):
    """Register ``cls`` as a pytree with no leaves: its (hashable) instances are aux data,
    so ``jit`` treats them as static without ``static_argnums``."""
    register_pytree_with_keys(cls, lambda node: ((), node), lambda node, _: node)
    return cls


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """Register a dataclass: ``data_fields`` are children, ``meta_fields`` static aux data.

    For a dataclass both may be omitted: fields are data unless declared with
    ``field(metadata=dict(static=True))`` (``glassbox.tree.static()``). As in JAX the
    two lists must name every ``init=True`` field not in ``drop_fields``, and nothing
    else. Children have ``GetAttrKey`` paths.
    """
    if data_fields is None or meta_fields is None:
        if (data_fields is None) != (meta_fields is None):
            raise TypeError("register_dataclass: data_fields and meta_fields must both be "
                            "specified when either is specified. Got "
                            f"data_fields={data_fields!r} meta_fields={meta_fields!r}.")
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError("register_dataclass: data_fields and meta_fields are required "
                            f"when nodetype is not a dataclass. Got nodetype={nodetype!r}.")
        fields = dataclasses.fields(nodetype)
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
    if dataclasses.is_dataclass(nodetype):
        init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init}
        init_fields.difference_update(drop_fields)
        if {*meta_fields, *data_fields} != init_fields:
            msg = ("data_fields and meta_fields must include all dataclass fields with "
                   "``init=True`` and only them.")
            if missing := init_fields - {*meta_fields, *data_fields}:
                msg += (f" Missing fields: {missing}. Add them to drop_fields to suppress "
                        "this error.")
            if unexpected := {*meta_fields, *data_fields} - init_fields:
                msg += f" Unexpected fields: {unexpected}."
            raise ValueError(msg)
    if overlap := set(data_fields) & set(meta_fields):
        raise ValueError(f"data_fields and meta_fields must not overlap. Overlapping fields: "
                         f"{overlap}.")

    def flatten(x):
        return ([getattr(x, k) for k in data_fields], tuple(getattr(x, k) for k in meta_fields))

    def unflatten(aux, children):
        return nodetype(**dict(zip(meta_fields, aux)), **dict(zip(data_fields, children)))

    def flatten_with_keys(x):
        return ([(GetAttrKey(k), getattr(x, k)) for k in data_fields],
                tuple(getattr(x, k) for k in meta_fields))
    register_pytree_node(nodetype, flatten, unflatten, flatten_with_keys)
    return nodetype


# --- keys, for paths -------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SequenceKey:
    idx: int

    def __str__(self):
        return f"[{self.idx}]"


@dataclasses.dataclass(frozen=True)
class DictKey:
    key: object

    def __str__(self):
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    name: str

    def __str__(self):
        return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
    key: int

    def __str__(self):
        return f"[<flat index {self.key}>]"


KeyEntry = typing.TypeVar("KeyEntry", bound=typing.Any)   # one step of a path
KeyPath = tuple[KeyEntry, ...]                             # the keys from root to leaf


def keystr(keys, *, simple=False, separator=""):
    """A key path as text: ``keystr((DictKey('w'), SequenceKey(0)))`` is ``"['w'][0]"``;
    with ``simple=True, separator='/'`` it is ``"w/0"`` (shorter, but ambiguous)."""
    return separator.join(map(_simple_entrystr if simple else str, keys))


def _simple_entrystr(key):
    if isinstance(key, (SequenceKey, DictKey, GetAttrKey, FlattenedIndexKey)):
        return _key_name(key)
    return str(key)


# --- built-in nodes --------------------------------------------------------

def _sorted_keys(d):
    """A dict's keys in sorted order, as JAX flattens them (so ``{1: a, 'b': c}`` fails)."""
    try:
        return sorted(d)
    except TypeError as e:
        raise ValueError("Comparator raised exception while sorting pytree dictionary "
                         "keys.") from e


register_pytree_node(tuple, lambda t: (t, None), lambda _, c: tuple(c),
                     lambda t: ([(SequenceKey(i), v) for i, v in enumerate(t)], None))
register_pytree_node(list, lambda t: (t, None), lambda _, c: list(c),
                     lambda t: ([(SequenceKey(i), v) for i, v in enumerate(t)], None))
register_pytree_node(type(None), lambda _: ((), None), lambda _, c: None,
                     lambda _: ((), None))
register_pytree_node(
    dict,
    lambda d: (tuple(d[k] for k in _sorted_keys(d)), tuple(_sorted_keys(d))),
    lambda keys, c: dict(zip(keys, c)),
    lambda d: ([(DictKey(k), d[k]) for k in _sorted_keys(d)], tuple(_sorted_keys(d))))
register_pytree_node(
    collections.OrderedDict,
    lambda d: (list(d.values()), tuple(d)),
    lambda keys, c: collections.OrderedDict(zip(keys, c)),
    lambda d: ([(DictKey(k), v) for k, v in d.items()], tuple(d)))
register_pytree_node(
    collections.defaultdict,
    lambda d: ([d[k] for k in sorted(d)], (d.default_factory, tuple(sorted(d)))),
    lambda aux, c: collections.defaultdict(aux[0], zip(aux[1], c)),
    lambda d: ([(DictKey(k), d[k]) for k in sorted(d)], (d.default_factory, tuple(sorted(d)))))


def _node_for(x):
    node = _registry.get(type(x))
    if node is None and isinstance(x, tuple) and hasattr(type(x), "_fields"):
        return _NAMEDTUPLE
    return node


_NAMEDTUPLE = _Node(lambda t: (tuple(t), type(t)), lambda cls, c: cls(*c),
                    lambda t: ([(GetAttrKey(f), v) for f, v in zip(t._fields, t)], type(t)))


# --- PyTreeDef -------------------------------------------------------------

class PyTreeDef:
    """The structure of a pytree, without its leaves. Hashable and comparable."""

    __slots__ = ("node_type", "aux", "subtrees", "num_leaves", "_hash")

    def __init__(self, node_type, aux, children):
        self.node_type = node_type          # None for a leaf
        self.aux = aux
        self.subtrees = tuple(children)
        self.num_leaves = 1 if node_type is None else sum(c.num_leaves for c in self.subtrees)
        self._hash = None

    @property
    def num_nodes(self):
        return 1 + sum(c.num_nodes for c in self.subtrees)

    def children(self):
        """The structures of this node's children (a method, as JAX's)."""
        return list(self.subtrees)

    def node_data(self):
        """``(node type, aux data)`` of this node; None for a leaf."""
        if self.node_type is None:
            return None
        return (self.aux if self.node_type == "namedtuple" else self.node_type), self.aux

    def unflatten(self, leaves):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"Tree structure {self} expects {self.num_leaves} leaves, "
                             f"got {len(leaves)}")
        return self._build(iter(leaves))

    def _build(self, it):
        if self.node_type is None:
            return next(it)
        children = [c._build(it) for c in self.subtrees]
        node = _NAMEDTUPLE if self.node_type == "namedtuple" else _registry[self.node_type]
        return node.unflatten(self.aux, children)

    def flatten_up_to(self, tree):
        """The subtrees of ``tree`` at this structure's leaves (``tree`` may be deeper)."""
        out = []
        self._up_to(tree, out)
        return out

    def _up_to(self, tree, out):
        if self.node_type is None:
            out.append(tree)
            return
        node = _node_for(tree)
        kind = "namedtuple" if node is _NAMEDTUPLE else type(tree)
        if kind != self.node_type:
            raise ValueError(f"Expected {self._kind_name()}, got {type(tree).__name__}: "
                             f"{tree!r}")
        children, aux = node.flatten(tree)
        children = list(children)
        if len(children) != len(self.subtrees) or (aux != self.aux and kind is not list):
            raise ValueError(f"Mismatch in pytree structure: expected {self}, got a "
                             f"{type(tree).__name__} with {len(children)} children")
        for c, sub in zip(self.subtrees, children):
            c._up_to(sub, out)

    def _kind_name(self):
        return "namedtuple" if self.node_type == "namedtuple" else self.node_type.__name__

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self.node_type == other.node_type
                and self.aux == other.aux and self.subtrees == other.subtrees)

    def __hash__(self):
        if self._hash is None:
            try:
                self._hash = hash((self.node_type, self.aux, self.subtrees))
            except TypeError:
                self._hash = hash((self.node_type, self.subtrees))
        return self._hash

    def __repr__(self):
        return f"PyTreeDef({self._str()})"

    def _str(self):
        if self.node_type is None:
            return "*"
        inner = ", ".join(c._str() for c in self.subtrees)
        if self.node_type is tuple:
            return f"({inner}{',' if len(self.subtrees) == 1 else ''})"
        if self.node_type is list:
            return f"[{inner}]"
        if self.node_type is dict:
            return "{" + ", ".join(f"{k!r}: {c._str()}" for k, c in zip(self.aux, self.subtrees)) + "}"
        if self.node_type is type(None):
            return "None"
        aux = self.aux.__name__ if self.node_type == "namedtuple" else self.aux
        return f"CustomNode({self._kind_name()}[{aux}], [{inner}])"


_LEAF = PyTreeDef(None, None, ())


def tree_flatten(tree, is_leaf=None):
    """``(leaves, treedef)``; ``is_leaf(x)`` stops the descent at ``x``."""
    leaves = []
    return leaves, _flatten(tree, is_leaf, leaves)


def _flatten(tree, is_leaf, leaves):
    node = None if (is_leaf is not None and is_leaf(tree)) else _node_for(tree)
    if node is None:
        leaves.append(tree)
        return _LEAF
    children, aux = node.flatten(tree)
    kind = "namedtuple" if node is _NAMEDTUPLE else type(tree)
    return PyTreeDef(kind, aux, [_flatten(c, is_leaf, leaves) for c in children])


def tree_unflatten(treedef, leaves):
    return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def treedef_is_leaf(treedef):
    """True for a structure of one node: a leaf, or an empty node such as ``None``."""
    return treedef.num_nodes == 1


def treedef_children(treedef):
    return treedef.children()


def treedef_tuple(treedefs):
    """The structure of a tuple whose children have the structures ``treedefs``."""
    return PyTreeDef(tuple, None, list(treedefs))


def is_tree_node(typ):
    """True for a registered node type (built-in or custom) or a namedtuple class."""
    return typ in _registry or (issubclass(typ, tuple) and hasattr(typ, "_fields"))


def flatten_one_level(tree):
    """``(children, aux_data)`` of one node; ``ValueError`` for a leaf."""
    node = _node_for(tree)
    if node is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return node.flatten(tree)


def flatten_one_level_with_keys(tree):
    """``([(key, child), ...], aux_data)`` of one node; ``ValueError`` for a leaf."""
    node = _node_for(tree)
    if node is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    if node.flatten_with_keys is not None:
        keyed, aux = node.flatten_with_keys(tree)
        return tuple(keyed), aux
    children, aux = node.flatten(tree)
    return tuple((FlattenedIndexKey(i), c) for i, c in enumerate(children)), aux


def tree_map(f, tree, *rest, is_leaf=None):
    """Apply ``f`` to the leaves of ``tree`` (and the matching subtrees of ``rest``)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = _flatten_rest(treedef, tree, rest, is_leaf, "tree_map tree")
    return treedef.unflatten(f(*xs) for xs in zip(leaves, *others))


def _flatten_rest(treedef, tree, rest, is_leaf, name):
    """``rest`` flattened up to ``treedef``; a mismatch is reported at its key path (JAX's way)."""
    out = []
    for r in rest:
        try:
            out.append(treedef.flatten_up_to(r))
        except Exception as e:
            err = next(_prefix_error((), tree, r, is_leaf), None)
            raise (err(name) if err is not None else e) from None
    return out


def _one_level(tree):
    """``(children, aux, keys)`` of a non-leaf node."""
    node = _node_for(tree)
    children, aux = node.flatten(tree)
    if node.flatten_with_keys is not None:
        keys = [k for k, _ in node.flatten_with_keys(tree)[0]]
    else:
        keys = [FlattenedIndexKey(i) for i in range(len(children))]
    return list(children), aux, keys


def _key_name(k):
    return str(getattr(k, "key", getattr(k, "idx", getattr(k, "name", k))))


def _prefix_error(path, prefix, full, is_leaf=None):
    """Yields ``name -> ValueError`` for the first place ``full`` does not extend ``prefix``.

    A port of JAX's ``tree_util._prefix_error``: the messages name the key path and
    what differs there (type, length, child keys or metadata such as a dict's keys).
    """
    if tree_structure(prefix, is_leaf) == _LEAF:
        return                                  # a leaf is a prefix of anything
    where = lambda name: f"    {name}{keystr(path)}\n"
    if type(prefix) is not type(full):
        yield lambda name: ValueError(
            f"pytree structure error: different types at key path\n{where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type\n"
            f"    {type(prefix)}\nbut at the same key path the full pytree has a subtree of "
            f"different type\n    {type(full)}.")
        return
    p_children, p_aux, p_keys = _one_level(prefix)
    f_children, f_aux, f_keys = _one_level(full)
    if isinstance(prefix, (list, tuple)) and len(prefix) != len(full):
        kind = type(prefix).__name__
        yield lambda name: ValueError(
            f"pytree structure error: different lengths of {kind} at key path\n{where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type {kind} of "
            f"length {len(prefix)}, but the full pytree has a subtree of the same type but of "
            f"length {len(full)}.")
        return
    if len(p_children) != len(f_children):
        yield lambda name: ValueError(
            f"pytree structure error: different numbers of pytree children at key path\n"
            f"{where(name)}At that key path, the prefix pytree {name} has a subtree of type\n"
            f"    {type(prefix)}\nwith {len(p_children)} child keys\n"
            f"    {' '.join(map(_key_name, p_keys))}\nbut at the same key path the full "
            f"pytree has a subtree of the same type but with {len(f_children)} child keys\n"
            f"    {' '.join(map(_key_name, f_keys))}\nso the symmetric difference on key sets "
            f"is\n    {' '.join(map(_key_name, set(p_keys) ^ set(f_keys)))}")
        return
    if p_aux != f_aux:
        diff = textwrap.indent("\n".join(difflib.ndiff(str(p_aux).splitlines(),
                                                       str(f_aux).splitlines())), "    ")
        yield lambda name: ValueError(
            f"pytree structure error: different pytree metadata at key path\n{where(name)}"
            f"At that key path, the prefix pytree {name} has a subtree of type\n"
            f"    {type(prefix)}\nwith metadata\n    {p_aux}\nbut at the same key path the "
            f"full pytree has a subtree of the same type but with metadata\n    {f_aux}\n"
            f"so the diff in the metadata at these pytree nodes is\n{diff}")
        return
    for k, a, b in zip(p_keys, p_children, f_children):
        yield from _prefix_error(path + (k,), a, b)


def broadcast_prefix(prefix, full, is_leaf=None):
    """Each leaf of ``prefix`` repeated for every leaf of the subtree of ``full`` it
    stands for: how ``in_shardings``, ``in_specs`` and the like apply to arguments.
    A structure mismatch is JAX's ValueError naming the key path."""
    out = []
    tree_map(lambda p, sub: out.extend([p] * len(tree_leaves(sub))), prefix, full,
             is_leaf=is_leaf)
    return out


def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
    """``full_tree``'s structure, each leaf the leaf of ``prefix_tree`` above it:
    ``tree_broadcast([1, {'a': 2}], [[3, 4], {'a': (5, 6)}])`` is
    ``[[1, 1], {'a': (2, 2)}]``."""
    try:
        leaves = broadcast_prefix(prefix_tree, full_tree, is_leaf)
    except ValueError:
        err = next(_prefix_error((), prefix_tree, full_tree, is_leaf), None)
        if err is None:
            raise
        raise err("broadcast_prefix prefix_tree") from None
    return tree_structure(full_tree).unflatten(leaves)


class Unspecified:
    """The default of ``tree_reduce``'s ``initializer``: none given (``None`` is a value)."""


def tree_reduce(function, tree, initializer=Unspecified(), is_leaf=None):
    """``functools.reduce(function, leaves[, initializer])``."""
    leaves = tree_leaves(tree, is_leaf)
    if isinstance(initializer, Unspecified):
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation, tree, *, identity=Unspecified(), is_leaf=None):
    """Reduce the leaves with an associative ``operation`` as a balanced tree (depth
    log n): ``operation(operation(l0, l1), operation(l2, operation(l3, l4)))``."""
    def reduce(seq):
        if not seq:
            if isinstance(identity, Unspecified):
                raise TypeError("Must specify identity for parallel reduction of empty "
                                "sequence.")
            return identity
        if len(seq) == 1:
            return seq[0]
        return operation(reduce(seq[:len(seq) // 2]), reduce(seq[len(seq) // 2:]))
    return reduce(tree_leaves(tree, is_leaf))


def tree_all(tree, *, is_leaf=None):
    return all(tree_leaves(tree, is_leaf))


def all_leaves(iterable, is_leaf=None):
    """True when every item is a leaf (``None`` is an empty node, not a leaf)."""
    if is_leaf is None:
        return all(tree_structure(x) == _LEAF for x in iterable)
    items = list(iterable)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(a is b for a, b in zip(items, leaves))


def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Turn a tree of trees (outer of inner) into an inner of outers."""
    flat = outer_treedef.flatten_up_to(pytree_to_transpose)
    columns = [inner_treedef.flatten_up_to(x) for x in flat]
    transposed = [outer_treedef.unflatten(col) for col in zip(*columns)] if columns else []
    return inner_treedef.unflatten(transposed)


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """``([(path, leaf), ...], treedef)`` where a path is a tuple of keys; with
    ``is_leaf_takes_path`` the test is ``is_leaf(path, x)``."""
    if is_leaf is not None and not is_leaf_takes_path:
        is_leaf_with_path = lambda _, x: is_leaf(x)
    else:
        is_leaf_with_path = is_leaf
    out = []
    treedef = _with_path(tree, (), is_leaf_with_path, out)
    return out, treedef


def _with_path(tree, path, is_leaf, out):
    node = None if (is_leaf is not None and is_leaf(path, tree)) else _node_for(tree)
    if node is None:
        out.append((path, tree))
        return _LEAF
    if node.flatten_with_keys is not None:
        keyed, aux = node.flatten_with_keys(tree)
    else:
        children, aux = node.flatten(tree)
        keyed = [(FlattenedIndexKey(i), c) for i, c in enumerate(children)]
    kind = "namedtuple" if node is _NAMEDTUPLE else type(tree)
    return PyTreeDef(kind, aux, [_with_path(child, path + (key,), is_leaf, out)
                                 for key, child in keyed])


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    """``tree_map`` whose ``f(path, leaf, *others)`` also gets each leaf's key path."""
    keyed, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    plain_is_leaf = (None if is_leaf is None else
                     (lambda x: is_leaf((), x)) if is_leaf_takes_path else is_leaf)
    others = _flatten_rest(treedef, tree, rest, plain_is_leaf, "tree_map_with_path tree")
    return treedef.unflatten(f(p, x, *xs) for (p, x), *xs in zip(keyed, *others))


# jaxlib's C++ registry, holding every node registered here (what jit's fast path flattens
# arguments with); glassbox's own flattening is the Python above.
default_registry = runtime.pytree_registry


class Partial(functools.partial):
    """``functools.partial`` that is a pytree: its bound arguments are leaves."""


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, c: Partial(func, *c[0], **c[1]))
