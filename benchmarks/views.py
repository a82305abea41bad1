"""The graph-view rows: laying out the view of a large gradient (glassbox only).

``run.py`` adds these ``PROGRAMS`` to the table when it runs the glassbox worker
(``load_programs``). The program is a chain of 2,000 equations written in a
Python loop (8x8 ``lax.dot``, ``tanh``, ``mul``, ``add``, 500 times, then a
sum); its gradient has about 7,000. The view of a program that size starts
collapsed into blocks of consecutive equations (``widgets/_blocks.py``), so
its first layout shows at most a few hundred nodes.

- "graph view layout" times what the view does with the gradient's jaxpr
  (traced once, untimed): the graph of equations, the choice of what starts
  collapsed, graphviz's layout, and the widget state sent to the browser.
- "graph view, trace + layout" times ``gbw.graph(f, stages=("grad",))(x, w)``,
  what a notebook user waits for: tracing ``grad`` as well.

graphviz's output is cached by DOT text; each view has its own id in that text,
so no timing reuses another's layout, and the cache is cleared anyway.
"""
from programs import Program, Timed

STEPS = 500          # loop iterations of 4 equations
EQUATIONS = 4 * STEPS + 1   # and the final sum


def _chain(lax, jnp):
    """A new function per call, so that nothing cached for an earlier one is reused."""
    def chain(x, w):
        for _ in range(STEPS):
            a = lax.dot(x, w)
            b = lax.tanh(a)
            c = lax.mul(b, x)
            x = lax.add(c, a)
        return jnp.sum(x)
    return chain


def _inputs(jnp):
    return jnp.ones((8, 8), jnp.float32), jnp.full((8, 8), 0.01, jnp.float32)


def _forget_layouts():
    from glassbox.widgets import _render
    _render._run_dot_cached.cache_clear()


def _check(view, stage="grad"):
    """The view laid out a collapsed graph (not an error, not everything)."""
    data = view.stages[0]
    if data.get("kind") != "graph":
        raise AssertionError(f"the {stage} view has no graph: {data.get('error', data)}")
    if not data["folded"] or data["shown"] > 300:
        raise AssertionError(f"the view of {data['equations']} equations shows "
                             f"{data['shown']} nodes with {data['folded']} groups collapsed")


def graph_view_layout(jax, jnp, np):
    """The graph view of the jaxpr of ``grad`` of the 2,000-equation chain, collapsed by
    default: ``graph_for_jaxpr`` builds the graph, picks what starts collapsed and lays
    it out with graphviz (tracing untimed)."""
    import glassbox.widgets as gbw
    x, w = _inputs(jnp)
    chain = _chain(jax.lax, jnp)
    forward = jax.make_jaxpr(chain)(x, w)
    if len(forward.jaxpr.eqns) != EQUATIONS:
        raise AssertionError(f"the chain has {len(forward.jaxpr.eqns)} equations, "
                             f"not {EQUATIONS}")
    closed = jax.make_jaxpr(jax.grad(chain))(x, w)
    _check(gbw.graph_for_jaxpr(closed, name="grad"))

    def body():
        _forget_layouts()
        return gbw.graph_for_jaxpr(closed, name="grad")
    return Timed(body)


def graph_view_end_to_end(jax, jnp, np):
    """``gbw.graph(f, stages=("grad",))(x, w)`` for a fresh 2,000-equation chain: tracing
    ``grad`` and the layout above."""
    import glassbox.widgets as gbw
    x, w = _inputs(jnp)
    _check(gbw.graph(_chain(jax.lax, jnp), stages=("grad",))(x, w))

    def body():
        _forget_layouts()
        return gbw.graph(_chain(jax.lax, jnp), stages=("grad",))(x, w)
    return Timed(body)


_ROW = dict(target="< 1 s", backends=("glassbox",), max_seconds=1.0)

PROGRAMS = [
    Program(f"graph view layout, grad of a {EQUATIONS - 1:,}-equation program",
            graph_view_layout, **_ROW),
    Program(f"graph view, trace + layout, grad of a {EQUATIONS - 1:,}-equation program",
            graph_view_end_to_end, **_ROW),
]
