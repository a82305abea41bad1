"""Pytrees: flatten/unflatten round trips, registration, paths, errors."""
import collections
import dataclasses

import pytest

import glassbox as gb
from glassbox import tree_util as tu

Point = collections.namedtuple("Point", "x y")

TREES = [
    1.0,
    None,
    (),
    [1, 2, (3, 4)],
    {"b": 1, "a": [2, 3], "c": None},
    collections.OrderedDict([("z", 1), ("y", 2)]),
    Point(1, (2, 3)),
    {"nested": {"deep": [(1,), {"k": 2}]}},
]


@pytest.mark.parametrize("tree", TREES, ids=repr)
def test_round_trip(tree):
    leaves, treedef = tu.tree_flatten(tree)
    assert tu.tree_unflatten(treedef, leaves) == tree
    assert treedef.num_leaves == len(leaves)


def test_dict_leaves_are_in_sorted_key_order_like_jax():
    assert tu.tree_leaves({"b": 1, "a": 2, "c": 3}) == [2, 1, 3]


def test_none_is_an_empty_subtree():
    assert tu.tree_leaves([None, 1, None]) == [1]


def test_tree_map_over_several_trees_and_is_leaf():
    a = {"w": [1, 2], "b": 3}
    b = {"w": [10, 20], "b": 30}
    assert tu.tree_map(lambda x, y: x + y, a, b) == {"w": [11, 22], "b": 33}
    assert tu.tree_map(len, {"w": [1, 2]}, is_leaf=lambda x: isinstance(x, list)) == {"w": 2}


def test_structure_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="pytree structure error: different types at key path"):
        tu.tree_map(lambda x, y: x, {"a": 1}, [1])


def test_register_pytree_node_and_class():
    class Box:
        def __init__(self, value, label):
            self.value, self.label = value, label

    tu.register_pytree_node(Box, lambda b: ((b.value,), b.label),
                            lambda label, children: Box(children[0], label))
    out = tu.tree_map(lambda v: v * 2, Box(3, "x"))
    assert (out.value, out.label) == (6, "x")

    @tu.register_pytree_node_class
    class Pair:
        def __init__(self, a, b):
            self.a, self.b = a, b

        def tree_flatten(self):
            return (self.a, self.b), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)
    assert tu.tree_leaves(Pair(1, [2, 3])) == [1, 2, 3]
    with pytest.raises(ValueError, match="already registered"):
        tu.register_pytree_node(Pair, None, None)


def test_register_dataclass_with_static_field():
    @tu.register_dataclass
    @dataclasses.dataclass
    class Layer:
        w: object
        b: object
        name: str = dataclasses.field(default="dense", metadata={"static": True})
    leaves, treedef = tu.tree_flatten(Layer(1, 2, "out"))
    assert leaves == [1, 2]
    assert tu.tree_unflatten(treedef, [5, 6]) == Layer(5, 6, "out")


def test_paths_and_keystr():
    keyed, _ = tu.tree_flatten_with_path({"params": [1, Point(2, 3)]})
    assert [tu.keystr(p) for p, _ in keyed] == ["['params'][0]", "['params'][1].x",
                                               "['params'][1].y"]


def test_transpose_and_reduce():
    outer = tu.tree_structure([0, 0])
    inner = tu.tree_structure({"a": 0, "b": 0})
    out = tu.tree_transpose(outer, inner, [{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    assert out == {"a": [1, 3], "b": [2, 4]}
    assert tu.tree_reduce(lambda a, b: a + b, [1, (2, 3)]) == 6


def test_treedef_equality_and_hash():
    assert tu.tree_structure({"a": [1, 2]}) == tu.tree_structure({"a": [3, 4]})
    assert hash(tu.tree_structure((1, 2))) == hash(tu.tree_structure((5, 6)))
    assert tu.tree_structure([1]) != tu.tree_structure((1,))


def test_tree_aliases():
    assert gb.tree.map(lambda x: x + 1, [1, 2]) == [2, 3]
    assert gb.tree.leaves({"a": 1}) == [1]


def test_partial_is_a_pytree():
    p = tu.Partial(lambda a, b: a + b, 1)
    leaves, treedef = tu.tree_flatten(p)
    assert leaves == [1]
    assert tu.tree_unflatten(treedef, [10])(5) == 15


# JAX 0.10.2's exceptions, recorded from .venv-jax (jax.tree_util on the same inputs).
_JAX_MIXED_KEYS = (ValueError, "Comparator raised exception while sorting pytree dictionary keys.")
_JAX_MISMATCHES = [
    ({"a": 1, "b": 2}, {"a": 1, "c": 2},
     "pytree structure error: different pytree metadata at key path\n    tree_map tree\nAt that "
     "key path, the prefix pytree tree_map tree has a subtree of type\n    <class 'dict'>\nwith "
     "metadata\n    ('a', 'b')\nbut at the same key path the full pytree has a subtree of the "
     "same type but with metadata\n    ('a', 'c')\nso the diff in the metadata at these pytree "
     "nodes is\n    - ('a', 'b')\n    ?        ^\n\n    + ('a', 'c')\n    ?        ^\n"),
    ({"x": (1, 2)}, {"x": (1, 2, 3)},
     "pytree structure error: different lengths of tuple at key path\n    tree_map tree['x']\n"
     "At that key path, the prefix pytree tree_map tree has a subtree of type tuple of length "
     "2, but the full pytree has a subtree of the same type but of length 3."),
    ({"x": [None, 1]}, {"x": [1, 1]},
     "pytree structure error: different types at key path\n    tree_map tree['x'][0]\nAt "
     "that key path, the prefix pytree tree_map tree has a subtree of type\n    <class "
     "'NoneType'>\nbut at the same key path the full pytree has a subtree of different type\n"
     "    <class 'int'>."),
]


def test_dict_with_unsortable_keys_raises_as_jax():
    cls, message = _JAX_MIXED_KEYS
    for fn in (tu.tree_leaves, tu.tree_structure):
        with pytest.raises(cls) as info:
            fn({1: "a", "b": 2})
        assert str(info.value) == message
    # an OrderedDict keeps insertion order, so any keys do
    assert tu.tree_leaves(collections.OrderedDict([(1, "a"), ("b", 2)])) == ["a", 2]


@pytest.mark.parametrize("case", range(len(_JAX_MISMATCHES)))
def test_structure_mismatch_names_the_key_path_as_jax(case):
    a, b, message = _JAX_MISMATCHES[case]
    with pytest.raises(ValueError) as info:
        tu.tree_map(lambda x, y: x, a, b)
    assert str(info.value) == message
    with pytest.raises(ValueError, match="tree_map_with_path tree"):
        tu.tree_map_with_path(lambda p, x, y: x, a, b)
