"""Key paths, keyed registration, dataclasses, and the rest of jax.tree_util / jax.tree,
against what JAX 0.10.2 prints for the same lines (recorded below as strings)."""
import dataclasses

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import tree_util as tu
from glassbox.flatten_util import ravel_pytree


def test_keystr_default_and_simple():
    ks = (tu.DictKey("a"), tu.SequenceKey(0), tu.GetAttrKey("w"), tu.FlattenedIndexKey(3))
    assert tu.keystr(ks) == "['a'][0].w[<flat index 3>]"
    assert tu.keystr(ks, simple=True, separator="/") == "a/0/w/3"
    assert [repr(k) for k in ks] == ["DictKey(key='a')", "SequenceKey(idx=0)",
                                     "GetAttrKey(name='w')", "FlattenedIndexKey(key=3)"]


class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b


tu.register_pytree_with_keys(
    Pair, lambda p: (((tu.GetAttrKey("a"), p.a), (tu.GetAttrKey("b"), p.b)), "aux"),
    lambda aux, c: Pair(*c))


def test_register_pytree_with_keys_paths_and_structure():
    keyed, treedef = tu.tree_flatten_with_path([Pair(1, {"k": 2})])
    assert str(keyed) == ("[((SequenceKey(idx=0), GetAttrKey(name='a')), 1), ((SequenceKey(idx=0),"
                          " GetAttrKey(name='b'), DictKey(key='k')), 2)]")
    assert str(treedef) == "PyTreeDef([CustomNode(Pair[aux], [*, {'k': *}])])"
    out = tu.tree_map_with_path(lambda p, x: tu.keystr(p, simple=True, separator="."),
                                [Pair(1, {"k": 2})])
    assert (out[0].a, out[0].b) == ("0.a", {"k": "0.b.k"})


def test_keyed_class_goes_through_jit_fast_path():
    @tu.register_pytree_with_keys_class
    class C:
        def __init__(self, x):
            self.x = x

        def tree_flatten_with_keys(self):
            return (((tu.DictKey("x"), self.x),), None)

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)
    assert str(tu.tree_leaves_with_path(C(5))) == "[((DictKey(key='x'),), 5)]"
    f = gb.jit(lambda c: c.x * 2)
    assert f(C(5)) == 10 and f(C(6)) == 12


def test_unkeyed_node_gets_flattened_index_keys():
    class Plain:
        def __init__(self, a):
            self.a = a
    tu.register_pytree_node(Plain, lambda p: ((p.a,), None), lambda _, c: Plain(*c))
    assert tu.keystr(tu.tree_leaves_with_path(Plain([1, 2]))[1][0]) == "[<flat index 0>][1]"


def test_register_static_is_aux_data():
    @tu.register_static
    class S(str):
        pass
    assert tu.tree_leaves([S("a"), 1]) == [1]
    assert str(tu.tree_structure(S("b"))) == "PyTreeDef(CustomNode(S[b], []))"
    assert gb.jit(lambda x, s: x + 1 if s == "add" else x - 1)(1, S("add")) == 2


def test_register_dataclass_infers_fields_and_checks_like_jax():
    @dataclasses.dataclass
    class B:
        x: int
        y: int = gb.tree.static(default=3)
    tu.register_dataclass(B)
    assert str(tu.tree_flatten_with_path(B(1))) == (
        "([((GetAttrKey(name='x'),), 1)], PyTreeDef(CustomNode(B[(3,)], [*])))")

    @dataclasses.dataclass
    class A:
        x: int
        z: int = dataclasses.field(default=5, init=False)
    with pytest.raises(ValueError, match=r"Unexpected fields: \{'z'\}"):
        tu.register_dataclass(A)
    with pytest.raises(TypeError, match="must both be specified"):
        tu.register_dataclass(A, data_fields=["x"])
    with pytest.raises(TypeError, match="required when nodetype is not a dataclass"):
        tu.register_dataclass(Pair)

    @dataclasses.dataclass
    class D:
        x: int
        y: int
    with pytest.raises(ValueError, match="must not overlap"):
        tu.register_dataclass(D, data_fields=["x", "y"], meta_fields=["y"])
    with pytest.raises(ValueError, match=r"Missing fields: \{'y'\}"):
        tu.register_dataclass(D, data_fields=["x"], meta_fields=[])


def test_one_level_and_node_queries():
    assert tu.flatten_one_level({"a": [1, 2], "b": {"c": 3}}) == (([1, 2], {"c": 3}), ("a", "b"))
    assert str(tu.flatten_one_level_with_keys({"a": 1})) == "(((DictKey(key='a'), 1),), ('a',))"
    with pytest.raises(ValueError, match="can't tree-flatten type: <class 'int'>"):
        tu.flatten_one_level(1)
    assert [tu.is_tree_node(t) for t in (type(None), int, list)] == [True, False, True]
    assert tu.treedef_is_leaf(tu.tree_structure(None))
    assert str(tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure([1])])) == "PyTreeDef((*, [*]))"
    assert str(tu.tree_structure({"a": [1, 2], "b": None}).children()) == \
        "[PyTreeDef([*, *]), PyTreeDef(None)]"
    assert not tu.all_leaves([None]) and tu.all_leaves([1, None], is_leaf=lambda x: x is None)


def test_reduce_broadcast_and_is_leaf_takes_path():
    assert tu.tree_reduce(lambda a, b: (a, b), [1, 2], None) == ((None, 1), 2)
    assert tu.tree_reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == \
        ((1, 2), (3, (4, 5)))
    with pytest.raises(TypeError, match="Must specify identity"):
        tu.tree_reduce_associative(lambda a, b: a + b, [])
    assert tu.tree_broadcast([1, {"a": 2}], [[3, 4], {"a": (5, 6)}]) == [[1, 1], {"a": (2, 2)}]
    with pytest.raises(ValueError, match="broadcast_prefix prefix_tree has a subtree of type "
                                         "list of length 2"):
        gb.tree.broadcast([1, 2], [1, 2, 3])
    out = tu.tree_map_with_path(lambda p, x: tu.keystr(p), {"a": [1, (2, 3)]},
                                is_leaf=lambda p, x: len(p) == 2, is_leaf_takes_path=True)
    assert out == {"a": ["['a'][0]", "['a'][1]"]}


# ravel_pytree: JAX 0.10.2's outputs for the same inputs
def test_ravel_pytree_promotes_and_unravels():
    flat, unravel = ravel_pytree({"w": jnp.ones((2, 2)), "b": jnp.arange(3.0), "n": None})
    np.testing.assert_array_equal(flat, [0, 1, 2, 1, 1, 1, 1])
    back = unravel(flat * 2)
    assert back["n"] is None and back["w"].shape == (2, 2)
    assert unravel(flat.astype(jnp.int32))["b"].dtype == jnp.int32   # one dtype: polymorphic
    flat, unravel = ravel_pytree([jnp.ones(2, jnp.int32), 1.5, np.float16(2), jnp.array(True)])
    assert flat.dtype == jnp.float32
    assert [x.dtype for x in unravel(flat)] == [jnp.int32, jnp.float32, jnp.float16, jnp.bool_]
    with pytest.raises(TypeError, match="unravel function given array of dtype int32, but "
                                        "expected dtype float32"):
        unravel(flat.astype(jnp.int32))
    flat, unravel = ravel_pytree({})
    assert flat.dtype == jnp.float32 and flat.shape == (0,) and unravel(flat) == {}
    assert ravel_pytree((1, 2))[0].dtype == jnp.int32
    assert ravel_pytree((jnp.ones(2, jnp.bfloat16), jnp.ones(1, jnp.float16)))[0].dtype == jnp.float32
    g = gb.grad(lambda t: jnp.sum(ravel_pytree(t)[0] ** 2))({"a": jnp.ones(2), "b": 3.0})
    np.testing.assert_array_equal(g["a"], [2, 2]) and np.testing.assert_array_equal(g["b"], 6)
