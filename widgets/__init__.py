"""glassbox.widgets: live views of traced programs, for seeing what transforms do.

    import glassbox.widgets as gbw
    gbw.graph(loss)(params, x)                    # tabs: traced, after grad, after vmap, StableHLO
    gbw.grad_flow(loss)(params, x)                # forward/backward halves, cotangent norms
    gbw.batching(f, in_axes=(None, 0))(p, xs)     # where vmap's batch axes sit in every value
    gbw.devices(); gbw.compile_cache()            # live panels fed by the core's events
    gbw.step(loss, grad=True, predict=True)(p, x) # one equation at a time, for the classroom

    gbw.graph_for_jaxpr(closed_jaxpr, hlo_text=..., hlo_jaxpr=...)   # for %%jit --show graph
    %graph loss(params, x)                        # a glassbox.kernel magic (%load_ext glassbox)

Views read only the IR (equations, their source lines and name stacks) and the
core's event stream (``glassbox.events``), never tracer internals. Every view is
an anywidget (one ``.py`` and one plain ES module ``.js``, no build step) whose
mime bundle also carries a static HTML/SVG picture, so saved notebooks,
nbconvert and GitHub still show it. Graphs are laid out by graphviz's ``dot``.
"""
import importlib

from glassbox import source_info as _source_info

# Frames in glassbox.widgets are library frames: equations traced by a view's own
# helpers (the recording interpreter, the batching re-run) point at the user's line.
_source_info.add_library_dir(__file__)

# name -> submodule: imported on first use, so `import glassbox.widgets` stays cheap
# (ipywidgets and anywidget load with the first view).
_EXPORTS = {
    "GraphView": "graphview", "graph": "graphview", "graph_for_jaxpr": "graphview",
    "GradFlowView": "gradflow", "grad_flow": "gradflow",
    "BatchingView": "batchview", "batching": "batchview", "Level": "_interp",
    "DevicePanel": "devicepanel", "devices": "devicepanel",
    "CompileCachePanel": "cachepanel", "compile_cache": "cachepanel",
    "partitioned": "shardview",
    "StepView": "stepper", "step": "stepper",
}
__all__ = list(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'glassbox.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))

