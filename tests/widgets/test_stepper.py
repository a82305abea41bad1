"""The step-through view without a browser: steps against make_jaxpr, source lines,
navigation, predict-then-reveal scoring, the backward pass against grad/vjp, NumPy
and finite differences, the static fallback, and front-end messages."""
import inspect
import pathlib

import comm
import numpy as np
import pytest

import glassbox
import glassbox.numpy as jnp
import glassbox.widgets as gbw
from glassbox.core import Literal
from glassbox.widgets import stepper
from glassbox.widgets.stepper import compare_types, parse_types

from .test_views import EVIL, CapturingComm, from_frontend, no_markup_from_user, updates


@pytest.fixture(autouse=True)
def capturing_comm(monkeypatch):
    monkeypatch.setattr(comm, "create_comm", CapturingComm)


def f(x, y):
    a = jnp.sin(x)
    b = a * y + 2.0
    return jnp.sum(b ** 2)


X = np.array([0.3, -1.2, 2.0], np.float32)
Y = np.array([1.5, 0.5, -2.0], np.float32)


def f_numpy(x, y):
    return np.sum((np.sin(x) * y + 2.0) ** 2)


def line_of(fun, code):
    """The file line number of the line of ``fun``'s source that holds ``code``."""
    lines, start = inspect.getsourcelines(fun)
    return start + next(i for i, line in enumerate(lines) if code in line)


# ---------------------------------------------------------------------------
# the forward steps


def test_steps_are_make_jaxprs_equations_in_order():
    view = gbw.step(f)(X, Y)
    jaxpr = glassbox.make_jaxpr(f)(X, Y).jaxpr
    assert isinstance(view, gbw.StepView)
    assert view.count == len(view.steps) == len(jaxpr.eqns) == 6
    assert [s.primitive for s in view.steps] == [e.primitive.name for e in jaxpr.eqns]
    assert [s.avals for s in view.steps] == [[v.aval for v in e.outvars] for e in jaxpr.eqns]
    assert all(s.phase == "forward" for s in view.steps)
    # the lines read as print(jaxpr) prints them, variable names included
    printed = str(glassbox.make_jaxpr(f)(X, Y)).split("\n")
    assert view.program["header"] == printed[0]
    assert [s.text for s in view.steps] == [line.strip() for line in printed[1:-1]]
    assert view.current["results"][0]["type"] == "f32[3]"
    np.testing.assert_allclose(view.steps[0].results[0].value, np.sin(X), rtol=1e-6)
    # the current value's aval: shape, dtype, weak type
    view.last()
    out = view.current["results"][0]
    assert (out["shape"], out["dtype"], out["weak_type"]) == ([], "float32", False)
    assert float(out["norm"]) == pytest.approx(f_numpy(X, Y), rel=1e-4)


def test_source_lines_point_at_the_users_lines():
    expected = {"sin": "jnp.sin(x)", "mul": "a * y + 2.0", "broadcast_in_dim": "a * y + 2.0",
                "add": "a * y + 2.0", "integer_pow": "b ** 2", "reduce_sum": "b ** 2"}
    view = gbw.step(f)(X, Y)
    for step in view.steps:
        assert step.source_info.file == __file__
        assert step.source_info.line == line_of(f, expected[step.primitive])
        src = view.source
        assert src["line"] == step.source_info.line and src["function"] == "f"
        assert src["where"] == f"test_stepper.py:{src['line']}"
        current = dict(src["lines"])[src["line"]]
        assert expected[step.primitive] in current
        # a short function is shown whole, the current line among its lines
        assert [n for n, _ in src["lines"]] == list(range(line_of(f, "def f"),
                                                          line_of(f, "return") + 1))
        view.next()


def test_next_prev_first_last_stay_in_bounds_and_the_jaxpr_grows():
    view = gbw.step(f)(X, Y)
    assert view.index == 0 and view.prev() is False and view.first() is False
    for i in range(1, view.count):
        assert view.next() is True and view.index == i
        forward = view.program["forward"]
        assert len(forward) == i + 1   # later equations are not shown yet
        assert [ln["state"] for ln in forward] == ["done"] * i + ["current"]
        assert view.program["footer"] == ("in (h,) }" if i == view.count - 1 else "")
    assert view.next() is False and view.index == view.count - 1
    assert view.first() is True and view.index == 0
    assert view.last() is True and view.index == view.count - 1
    assert view.goto(99) is False and view.index == view.count - 1
    assert view.goto(-5) is True and view.index == 0
    assert view.prev() is False and view.note == ""


# ---------------------------------------------------------------------------
# predict, then reveal


def test_typed_guesses_are_read_like_jaxpr_types():
    f32, i32 = np.dtype(np.float32), np.dtype(np.int32)
    assert parse_types("f32[3,4]") == [((3, 4), f32)]
    assert parse_types(" float32[3, 4] ") == [((3, 4), f32)]
    assert parse_types("f32[]") == parse_types("f32") == parse_types("f32[]{weak}") == [((), f32)]
    assert parse_types("(f32[2], i32[])") == [((2,), f32), ((), i32)]
    assert parse_types("bf16[8@x]")[0][0] == (8,)
    for bad in ("", "f33[3]", "f32[3", "f32[a]", "f32[3] + 1"):
        with pytest.raises(ValueError):
            parse_types(bad)
    aval = glassbox.core.ShapedArray((3,), f32)
    assert compare_types(parse_types("f32[3]"), [aval]) == (True, "right: f32[3]")
    right, text = compare_types(parse_types("i32[3]"), [aval])
    assert not right and "dtype differs" in text
    right, text = compare_types(parse_types("f32[3,1]"), [aval])
    assert not right and "shape differs" in text


def test_predict_mode_hides_checks_scores_then_reveals():
    view = gbw.step(f, predict=True)(X, Y)
    assert view.current["revealed"] is False and view.current["results"] == []
    assert view.current["text"] == "c:? = sin a"
    assert view.program["forward"][0]["text"] == "c:? = sin a"
    assert "c:f32[3]" not in view.static_html()
    # not past an unrevealed step
    assert view.next() is False and view.index == 0 and "prediction" in view.note
    assert view.last() is False
    # an unreadable guess is not scored and reveals nothing
    assert view.check("f32[3") is None
    assert view.feedback["ok"] is None and view.current["revealed"] is False
    # right
    assert view.check("f32[3]") is True
    assert view.feedback == {"ok": True, "text": "right: f32[3]", "guess": "f32[3]"}
    assert view.current["revealed"] and view.current["text"] == "c:f32[3] = sin a"
    # checking again is answered but not scored
    assert view.check("f32[2]") is False and "not scored" in view.feedback["text"]
    assert view.next() is True and view.feedback == {}
    # wrong: still revealed, with what differs
    assert view.check("f32[]") is False
    assert view.feedback["ok"] is False and "shape differs" in view.feedback["text"]
    assert view.current["results"][0]["type"] == "f32[3]"
    view.next()
    view.reveal()   # given up: shown, not right or wrong
    assert view.current["revealed"]
    assert view.score == {"right": 1, "wrong": 1, "shown": 1, "steps": 6}
    # Last goes as far as the student has got; Previous goes back freely
    view.first()
    assert view.last() is True and view.index == 3
    assert view.prev() is True and view.current["revealed"]
    assert view.static_sections()[-1] == ("score", "1 right, 1 wrong, 1 shown of 6 steps")


# ---------------------------------------------------------------------------
# the backward pass


def test_grad_mode_walks_the_forward_then_the_backward_pass():
    view = gbw.step(f, grad=True)(X, Y)
    jaxpr = glassbox.make_jaxpr(f)(X, Y).jaxpr
    n = len(jaxpr.eqns)
    forward, backward = view.steps[:n], view.steps[n:]
    assert [s.primitive for s in forward] == [e.primitive.name for e in jaxpr.eqns]
    assert all(s.phase == "forward" for s in forward)
    assert all(s.phase == "backward" for s in backward)
    # last equation first; the constant's broadcast (no cotangent flows) is skipped
    assert [s.eqn_index for s in backward] == [5, 4, 3, 1, 0]
    assert [s.primitive for s in backward] == ["reduce_sum", "integer_pow", "add", "mul", "sin"]
    # every cotangent has its primal's type, and says which value it belongs to
    names = {}
    for line in str(view.jaxpr).split("\n")[1:-1]:   # as print(jaxpr) names them
        names[len(names)] = line.split(":", 1)[0].strip()
    for step in backward:
        eqn = view.jaxpr.jaxpr.eqns[step.eqn_index]
        assert [r.name for r in step.received] == [names[step.eqn_index]]
        primal = {}
        for v in eqn.invars:
            if type(v) is not Literal:
                primal[str(view._program.names(v))] = v.aval
        assert all(r.aval == primal[r.name] for r in step.results)
    # the values: d out / d value, by hand with NumPy
    fwd = np.sin(X) * Y + 2.0
    by_hand = {"g": np.ones(3), "f": 2 * fwd, "d": 2 * fwd, "c": 2 * fwd * Y,
               "a": 2 * fwd * Y * np.cos(X)}
    arrived = {}
    for step in backward:
        for total in step.totals:
            if total is not None:
                arrived[total.name] = np.asarray(total.value)
    assert set(arrived) == set(by_hand)
    for name, value in by_hand.items():
        np.testing.assert_allclose(arrived[name], value, rtol=1e-5, err_msg=name)
    # the cotangent reaching x is grad (and vjp), and matches finite differences
    grad = np.asarray(glassbox.grad(f)(X, Y))
    _, vjp_fun = glassbox.vjp(f, X, Y)
    np.testing.assert_allclose(np.asarray(view.gradients[0]), grad, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(vjp_fun(np.float32(1))[0]), grad, rtol=1e-6)
    x64, eps = X.astype(np.float64), 1e-6
    fd = [(f_numpy(x64 + eps * e, Y) - f_numpy(x64 - eps * e, Y)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(grad, fd, rtol=1e-4)


def test_backward_steps_show_cotangents_arriving_and_their_equations():
    view = gbw.step(f, grad=True)(X, Y)
    view.goto(6)   # the first backward step: the seed arrives at the output h
    assert view.current["phase"] == "backward"
    assert view.current["received"][0]["name"] == "h"
    assert view.current["received"][0]["value"] == "1."
    assert view.current["transposes"] == "h:f32[] = reduce_sum[axes=(0,)] g"
    assert view.program["forward"][5]["state"] == "transposing"
    assert view.program["backward"] == [{"n": 6, "state": "current", "phase": "backward",
                                         "text": "ct_g:f32[3] <- transpose(reduce_sum) ct_h"}]
    assert [c["name"] for c in view.cotangents] == ["h", "g"]
    view.goto(9)   # d = mul c b, differentiated in c only (argnums=0)
    current = view.current
    assert [r["name"] for r in current["results"]] == ["c"] and current["complete"] == [True]
    assert current["backward"][0].startswith("{ lambda r0:f32[3]; ct_d:f32[3]. let")
    assert any("mul" in line and "ct_d" in line for line in current["backward"])
    view.last()
    assert view.cotangents[-1]["name"] == "a" and view.cotangents[-1]["label"] == "x"
    assert view.cotangents[-1]["note"] == "the gradient for x"


def sq_twice(x):
    return jnp.sum(x * x)


def test_a_value_used_twice_gets_the_sum_of_both_parts():
    x = np.array([1.0, -2.0, 3.0], np.float32)
    view = gbw.step(sq_twice, grad=True)(x)
    mul = view.steps[-1]
    assert mul.primitive == "mul" and [r.name for r in mul.results] == ["a"]
    np.testing.assert_allclose(np.asarray(mul.results[0].value), 2 * x)
    assert "ct_a_1" in mul.backward_text and "ct_a_2" in mul.backward_text


@glassbox.jit
def _layer(x, w):
    return jnp.tanh(x @ w)


def mlp_loss(params, x):
    h = _layer(x, params["w"]) + params["b"]
    h = h * h
    label = jnp.argmax(h, axis=1)   # an integer value: no cotangent flows through it
    return jnp.mean(h) + jnp.sum(label).astype(jnp.float32)


def test_grad_mode_through_jit_pytrees_and_integer_values_matches_grad():
    params = {"w": np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2),
              "b": np.float32(0.5)}
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    view = gbw.step(mlp_loss, grad=True)(params, x)
    backward = [s for s in view.steps if s.phase == "backward"]
    assert "jit" in [s.primitive for s in backward]
    assert "argmax" not in [s.primitive for s in backward]
    expected = glassbox.grad(mlp_loss)(params, x)
    got = view.gradients   # flattened like the params: b, w
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(expected["b"]), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(got[1]), np.asarray(expected["w"]), rtol=1e-5)
    view.last()
    assert {"params['b']", "params['w']"} <= {c["label"] for c in view.cotangents}


def test_step_of_grad_marks_grads_own_backward_equations():
    view = gbw.step(glassbox.grad(f))(X, Y)
    jaxpr = glassbox.make_jaxpr(glassbox.grad(f))(X, Y).jaxpr
    assert [s.primitive for s in view.steps] == [e.primitive.name for e in jaxpr.eqns]
    phases = [s.phase for s in view.steps]
    assert phases[0] == "forward" and phases[-1] == "backward"
    assert phases == sorted(phases, key=["forward", "backward"].index)


def test_grad_mode_explains_what_it_cannot_do():
    with pytest.raises(TypeError, match="one float scalar"):
        gbw.step(lambda x: jnp.sin(x), grad=True)(X)
    with pytest.raises(TypeError, match="float inputs"):
        gbw.step(lambda i: jnp.sum(i * 1.0), grad=True)(np.arange(3))
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        gbw.step(f, grad=True, argnums=2)(X, Y)
    with pytest.raises(TypeError, match="concrete"):
        gbw.step(f, grad=True)(glassbox.ShapeDtypeStruct((3,), np.float32), Y)
    abstract = gbw.step(f)(glassbox.ShapeDtypeStruct((3,), np.float32), Y)   # no values
    assert abstract.count == 6 and abstract.current["results"][0]["value"] == ""


# ---------------------------------------------------------------------------
# the static fallback and the front end


def shouting(x):
    return jnp.cos(x) * 3.0  # <script>alert(1)</script>


def test_static_fallback_shows_the_current_step_escaped():
    view = gbw.step(shouting)(X)
    data, _ = view._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == view.model_id
    static = data["text/html"]
    assert "step 1 of" in static and "b:f32[3] = cos a" in static
    view.next()
    static = view.static_html()
    assert "step 2 of" in static and "broadcast_in_dim" in static
    assert "→" in static and "jnp.cos(x) * 3.0" in static
    assert EVIL not in static and "&lt;script&gt;" in static
    no_markup_from_user(static)


def test_messages_from_the_front_end_move_the_step():
    view = gbw.step(f, predict=True)(X, Y)
    view.comm.sent.clear()
    from_frontend(view, {"action": "next"})   # blocked: predict first
    assert view.index == 0 and view.note
    from_frontend(view, {"action": "check", "guess": "f32[3]"})
    assert view.score["right"] == 1 and view.current["revealed"]
    line_before = view.source["line"]
    from_frontend(view, {"action": "next"})
    assert view.index == 1 and 1 in updates(view, "index")
    from_frontend(view, {"action": "reveal"})
    from_frontend(view, {"action": "next"})
    assert view.index == 2 and view.source["line"] != line_before   # the marked line moved
    from_frontend(view, {"action": "prev"})
    from_frontend(view, {"action": "first"})
    assert view.index == 0
    from_frontend(view, {"action": "goto", "index": "2"})
    assert view.index == 2
    from_frontend(view, {"action": "goto", "index": "nonsense"})
    from_frontend(view, {"action": "unknown"})
    from_frontend(view, "not a dict")
    assert view.index == 2


def test_the_front_end_module_has_the_documented_controls():
    js = (pathlib.Path(stepper.__file__).parent / "stepper.js").read_text()
    for cls in ("gb-step-first", "gb-step-prev", "gb-step-next", "gb-step-last", "gb-step-guess",
                "gb-step-check", "gb-step-reveal", "gb-step-current"):
        assert cls in js
    assert "innerHTML" not in js   # every string goes in as text
    assert "export default { render }" in js
