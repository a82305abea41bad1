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
import textwrap
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

    ``flatten_func(node) -> (children, aux_data)``; ``unflatten_func(aux_data, children) -> node``.
    """
    if nodetype in _registry:
        raise ValueError(f"{nodetype.__name__} is already registered as a pytree node")
    _registry[nodetype] = _Node(flatten_func, unflatten_func, flatten_with_keys_func)
    if nodetype not in _BUILT_INTO_JAXLIB:   # the C++ jit fast path flattens arguments too
        runtime.pytree_registry.register_node(nodetype, flatten_func, unflatten_func)


def register_pytree_node_class(cls):
    """Class decorator: ``cls.tree_flatten()`` and ``cls.tree_unflatten(aux, children)``."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def register_dataclass(nodetype=None, data_fields=None, meta_fields=None, drop_fields=()):
    """Register a dataclass: ``data_fields`` are children, ``meta_fields`` static aux data."""
    if nodetype is None:
        return functools.partial(register_dataclass, data_fields=data_fields,
                                 meta_fields=meta_fields, drop_fields=drop_fields)
    if data_fields is None:
        fields = [f for f in dataclasses.fields(nodetype) if f.name not in drop_fields]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
    data_fields, meta_fields = list(data_fields), list(meta_fields or ())

    def flatten(x):
        return ([getattr(x, k) for k in data_fields], tuple(getattr(x, k) for k in meta_fields))

    def unflatten(aux, children):
        return nodetype(**dict(zip(data_fields, children)), **dict(zip(meta_fields, aux)))

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


def keystr(path):
    """``keystr((DictKey('w'), SequenceKey(0)))`` -> ``"['w'][0]"``."""
    return "".join(str(k) for k in path)


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
    lambda d: ([d[k] for k in _sorted_keys(d)], tuple(_sorted_keys(d))),
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

    __slots__ = ("node_type", "aux", "children", "num_leaves", "_hash")

    def __init__(self, node_type, aux, children):
        self.node_type = node_type          # None for a leaf
        self.aux = aux
        self.children = tuple(children)
        self.num_leaves = 1 if node_type is None else sum(c.num_leaves for c in children)
        self._hash = None

    @property
    def num_nodes(self):
        return 1 + sum(c.num_nodes for c in self.children)

    def unflatten(self, leaves):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"Tree structure {self} expects {self.num_leaves} leaves, "
                             f"got {len(leaves)}")
        return self._build(iter(leaves))

    def _build(self, it):
        if self.node_type is None:
            return next(it)
        children = [c._build(it) for c in self.children]
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
        if len(children) != len(self.children) or (aux != self.aux and kind is not list):
            raise ValueError(f"Mismatch in pytree structure: expected {self}, got a "
                             f"{type(tree).__name__} with {len(children)} children")
        for c, sub in zip(self.children, children):
            c._up_to(sub, out)

    def _kind_name(self):
        return "namedtuple" if self.node_type == "namedtuple" else self.node_type.__name__

    def __eq__(self, other):
        return (isinstance(other, PyTreeDef) and self.node_type == other.node_type
                and self.aux == other.aux and self.children == other.children)

    def __hash__(self):
        if self._hash is None:
            try:
                self._hash = hash((self.node_type, self.aux, self.children))
            except TypeError:
                self._hash = hash((self.node_type, self.children))
        return self._hash

    def __repr__(self):
        return f"PyTreeDef({self._str()})"

    def _str(self):
        if self.node_type is None:
            return "*"
        inner = ", ".join(c._str() for c in self.children)
        if self.node_type is tuple:
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        if self.node_type is list:
            return f"[{inner}]"
        if self.node_type is dict:
            return "{" + ", ".join(f"{k!r}: {c._str()}" for k, c in zip(self.aux, self.children)) + "}"
        if self.node_type is type(None):
            return "None"
        return f"CustomNode({self._kind_name()}[{self.aux!r}], [{inner}])"


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
    return treedef.node_type is None


def treedef_children(treedef):
    return list(treedef.children)


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


def tree_reduce(function, tree, initializer=None, is_leaf=None):
    leaves = tree_leaves(tree, is_leaf)
    if initializer is None:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_all(tree, is_leaf=None):
    return all(tree_leaves(tree, is_leaf))


def all_leaves(iterable, is_leaf=None):
    return all(tree_structure(x, is_leaf) == _LEAF for x in iterable)


def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Turn a tree of trees (outer of inner) into an inner of outers."""
    flat = outer_treedef.flatten_up_to(pytree_to_transpose)
    columns = [inner_treedef.flatten_up_to(x) for x in flat]
    transposed = [outer_treedef.unflatten(col) for col in zip(*columns)] if columns else []
    return inner_treedef.unflatten(transposed)


def tree_flatten_with_path(tree, is_leaf=None):
    """``([(path, leaf), ...], treedef)`` where a path is a tuple of keys."""
    out = []
    _with_path(tree, (), is_leaf, out)
    return out, tree_structure(tree, is_leaf)


def _with_path(tree, path, is_leaf, out):
    node = None if (is_leaf is not None and is_leaf(tree)) else _node_for(tree)
    if node is None:
        out.append((path, tree))
        return
    if node.flatten_with_keys is not None:
        keyed, _ = node.flatten_with_keys(tree)
    else:
        keyed = [(FlattenedIndexKey(i), c) for i, c in enumerate(node.flatten(tree)[0])]
    for key, child in keyed:
        _with_path(child, path + (key,), is_leaf, out)


def tree_leaves_with_path(tree, is_leaf=None):
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None):
    keyed, treedef = tree_flatten_with_path(tree, is_leaf)
    others = _flatten_rest(treedef, tree, rest, is_leaf, "tree_map_with_path tree")
    return treedef.unflatten(f(p, x, *xs) for (p, x), *xs in zip(keyed, *others))


class Partial(functools.partial):
    """``functools.partial`` that is a pytree: its bound arguments are leaves."""


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, c: Partial(func, *c[0], **c[1]))
