"""``glassbox.debug``: looking at values while a program runs.

``debug.print(fmt, *args, **kwargs)`` and ``debug.callback(fun, *args)`` run inside
``jit``, ``vmap``, ``grad`` and loops, with the values each call sees (the primitives,
``debug_print`` and ``debug_callback``, are in ``glassbox.lax.callbacks``):

    jax.jit(lambda x: jax.debug.print("x = {}", x))(jnp.arange(3.))   # x = [0. 1. 2.]

And how an array is laid out over devices:

    x = jax.device_put(jnp.zeros((8, 4)), NamedSharding(mesh, P("x", "y")))
    jax.debug.visualize_array_sharding(x)      # a grid of device boxes: "CPU 0", ...
    jax.debug.inspect_array_sharding(x, callback=print)

In a terminal the grid is JAX's: the same ``rich`` table, character for character
(colored when ``matplotlib`` gives the ``tab20b`` colormap and the terminal has
colors). In a notebook it is an HTML grid instead, whose boxes also name each
shard's shape and its bytes per device, with the text picture as its plain-text
form.
"""
import functools
import html
import io
import sys

import numpy as np

from . import sharding as sharding_lib
from . import tree_util
from .core import Tracer, dtype_short_name
from .api import device_put
from .debugger import DebuggerQuit, breakpoint, register_debugger  # noqa: F401,A004
from .lax.callbacks import debug_callback, debug_print

# matplotlib's "tab20b" (a ListedColormap of 20 colors): what JAX colors the
# terminal grid with, and what the HTML grid always uses.
_TAB20B = ("#393B79", "#5254A3", "#6B6ECF", "#9C9EDE", "#637939", "#8CA252", "#B5CF6B",
           "#CEDB9C", "#8C6D31", "#BD9E39", "#E7BA52", "#E7CB94", "#843C39", "#AD494A",
           "#D6616B", "#E7969C", "#7B4173", "#A55194", "#CE6DBD", "#DE9ED6")


def _tab20b(value):
    """The color at ``value`` in [0, 1], as a ListedColormap picks it."""
    i = min(int(value * len(_TAB20B)), len(_TAB20B) - 1)
    return _TAB20B[i]


# --- inspect_array_sharding ----------------------------------------------------

def _sharding_of(value):
    if isinstance(value, Tracer):
        sharding = getattr(value.aval, "sharding", None)
        if sharding is None:
            raise NotImplementedError(
                "inspect_array_sharding inside a traced function (jit, grad, vmap) sees "
                f"only shardings that are part of the value's type, and {value.aval.str_short()} "
                "has none (its mesh axes are not Explicit, so XLA picks its layout when it "
                "compiles). Inspect the function's result instead, or use a mesh made with "
                "axis_types=(AxisType.Explicit, ...).")
        mesh = sharding_lib.current_mesh()
        if (not isinstance(sharding.mesh, sharding_lib.Mesh) and mesh is not None
                and mesh.shape_tuple == sharding.mesh.shape_tuple):
            return sharding_lib.NamedSharding(mesh, sharding.spec)
        return sharding
    if not hasattr(value, "sharding"):
        value = device_put(value)
    return value.sharding


def inspect_array_sharding(value, *, callback):
    """Call ``callback`` with the sharding of every array in the pytree ``value``.

    On concrete arrays it is called at once with ``x.sharding``. Inside ``jit`` (or
    another transform) it is called while tracing, with the sharding that the value's
    type carries (mesh axes of type ``Explicit``); JAX calls back later, when XLA has
    chosen the layouts of ``Auto`` axes, which glassbox does not offer: there it raises
    ``NotImplementedError``.
    """
    for leaf in tree_util.tree_leaves(value):
        callback(_sharding_of(leaf))


# --- visualize_sharding ----------------------------------------------------------

def _slice_to_chunk(size, slc):
    if slc.start is None and slc.stop is None:
        return 0
    return slc.start // (slc.stop - slc.start)


def _blocks(shape, sharding):
    """The grid of one picture: ``{(row, col): (device ids, height, width)}``, the height
    and width as fractions of the array's (height None for a 1-D array)."""
    blocks = {}
    for device, index in sharding.devices_indices_map(tuple(shape)).items():
        index = tuple(slice(i, i + 1) if isinstance(i, int) else i for i in index)
        chunk = tuple(_slice_to_chunk(n, s) for n, s in zip(shape, index))
        sizes = [(s.stop - s.start) if s.stop is not None else n for n, s in zip(shape, index)]
        if len(shape) == 2:
            height, width = sizes[0] / shape[0], sizes[1] / shape[1]
        else:
            chunk, height, width = (0, *chunk), None, sizes[0] / shape[0]
        ids, _, _ = blocks.setdefault(chunk, (set(), height, width))
        ids.add(device.id)
    return blocks


def _color_order(num_colors):
    """Positions in [0, 1] of the colormap for the blocks, in JAX's order (neighbouring
    blocks get far-apart colors)."""
    values = np.linspace(0, 1, num_colors)
    idx = 0
    for _ in range(num_colors):
        yield float(values[idx])
        idx = (idx + num_colors // 2 + bool(num_colors % 2 == 0)) % num_colors


def _text_color(color, threshold=186):
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if r * 0.299 + g * 0.587 + b * 0.114 > threshold else "#ffffff"


def _check_rank(shape):
    if len(shape) > 2 or len(shape) < 1:
        raise ValueError("`visualize_sharding` only works for shapes with 1 and 2 dimensions.")


def _grid(shape, sharding):
    blocks = _blocks(shape, sharding)
    rows = max(k[0] for k in blocks) + 1
    cols = max(k[1] for k in blocks) + 1
    kind = next(iter(sharding.device_set)).platform.upper()
    return blocks, rows, cols, kind


def _sizes(shape, blocks, scale, min_width, max_width):
    """``{(row, col): (width, height)}`` in characters and lines, as JAX sizes its boxes
    (a 1-D array's boxes are one line high: height None)."""
    base_height = int(10 * scale)
    base_width = int(base_height * (shape[1] if len(shape) == 2 else 1) / shape[0])
    return {key: (min(max(int(width * base_width * 2.5), min_width), max_width),
                  None if height is None else int(height * base_height))
            for key, (_, height, width) in blocks.items()}


def _label(kind, ids):
    return f"{kind} " + ",".join(str(i) for i in sorted(ids))


def _rich_table(shape, sharding, *, use_color, scale, min_width, max_width, color_map,
                console):
    """JAX's picture: a ``rich`` table of padded, centred device labels."""
    import rich.align  # noqa: PLC0415  (rendering only: importing glassbox stays light)
    import rich.box  # noqa: PLC0415
    import rich.padding  # noqa: PLC0415
    import rich.style  # noqa: PLC0415
    import rich.table  # noqa: PLC0415

    use_color = use_color and console.color_system is not None
    if use_color and not color_map:
        try:
            import matplotlib as mpl  # noqa: PLC0415
            color_map = mpl.colormaps["tab20b"]
        except ModuleNotFoundError:
            use_color = False
    blocks, rows, cols, kind = _grid(shape, sharding)
    sizes = _sizes(shape, blocks, scale, min_width, max_width)
    colors = (color_map(v) for v in _color_order(rows * cols)) if use_color else None
    table = rich.table.Table(show_header=False, show_lines=not use_color, padding=0,
                             highlight=not use_color, pad_edge=False,
                             box=None if use_color else rich.box.SQUARE)
    for i in range(rows):
        cells = []
        for j in range(cols):
            entry = _label(kind, blocks[i, j][0])
            width, height = sizes[i, j]
            height = 1 if height is None else height
            left, extra = divmod(width - len(entry) - 2, 2)
            right = left + extra
            top, extra = divmod(height - 2, 2)
            bottom = top + extra
            color = text_color = None
            if use_color:
                color = next(colors)
                if not isinstance(color, str):
                    color = "#" + "".join(f"{int(c * 255):02X}" for c in color[:3])
                text_color = _text_color(color)
                top, right, bottom, left = top + 1, right + 1, bottom + 1, left + 1
            pad = (max(top, 0), max(right, 0), max(bottom, 0), max(left, 0))
            cells.append(rich.padding.Padding(
                rich.align.Align(entry, "center", vertical="middle"), pad,
                style=rich.style.Style(bgcolor=color, color=text_color)))
        table.add_row(*cells)
    return table


def _console(max_width, **kwargs):
    try:
        import rich.console  # noqa: PLC0415
    except ModuleNotFoundError:
        raise ValueError("`visualize_sharding` requires `rich` to be installed.") from None
    return rich.console.Console(width=max_width, **kwargs)


def _sharding_text(shape, sharding, *, use_color=False, scale=1.0, min_width=9, max_width=80,
                   color_map=None):
    """The terminal picture of ``sharding`` over ``shape`` as a string (no colors unless
    ``use_color`` and the colormap give them; then with ANSI escapes)."""
    _check_rank(shape)
    buf = io.StringIO()
    console = _console(max_width, file=buf, force_jupyter=False, force_terminal=use_color,
                       color_system="truecolor" if use_color else None)
    console.print(_rich_table(shape, sharding, use_color=use_color, scale=scale,
                              min_width=min_width, max_width=max_width, color_map=color_map,
                              console=console), end="\n\n")
    return buf.getvalue()


def _fmt_bytes(n):
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}"


def _sharding_html(shape, sharding, dtype=None, *, scale=1.0, min_width=9, max_width=80):
    """The notebook picture: a CSS grid of colored device boxes, sized like the shards,
    each naming its devices, its shard's shape and (given ``dtype``) its bytes."""
    _check_rank(shape)
    blocks, rows, cols, kind = _grid(shape, sharding)
    shard_shape = sharding.shard_shape(tuple(shape))
    short = f"{dtype_short_name(np.dtype(dtype))}" if dtype is not None else "shape "
    per_device = (f" · {_fmt_bytes(int(np.prod(shard_shape)) * np.dtype(dtype).itemsize)}"
                  if dtype is not None else "")
    shard_label = f"{short}[{','.join(map(str, shard_shape))}]{per_device}"
    # Boxes are sized as JAX's text boxes (8 px a character, 9 px a line; all columns
    # together at most max_width characters, as rich fits its table to the console),
    # and large enough for their two lines of text.
    chars, lines = [0] * cols, [0] * rows
    for (i, j), (width, height) in _sizes(shape, blocks, scale, min_width, max_width).items():
        chars[j] = max(chars[j], width)
        lines[i] = max(lines[i], height or 0)
    fit = min(1.0, max_width / max(sum(chars), 1))
    longest = max(len(shard_label), *(len(_label(kind, b[0])) for b in blocks.values()))
    col_px = [max(int(8 * c * fit), 7 * longest + 12) for c in chars]
    row_px = [max(9 * n, 40) for n in lines]
    colors = iter(_tab20b(v) for v in _color_order(rows * cols))
    cells = []
    for i in range(rows):
        for j in range(cols):
            ids, _, _ = blocks[i, j]
            color = next(colors)
            devices = html.escape(_label(kind, ids))
            cells.append(
                f'<div class="gb-shard" data-devices="{",".join(map(str, sorted(ids)))}" '
                f'style="background:{color};color:{_text_color(color, 150)};display:flex;'
                f'flex-direction:column;align-items:center;justify-content:center;'
                f'padding:2px 4px;text-align:center;overflow:hidden;white-space:nowrap">'
                f'<b>{devices}</b><span style="font-size:10px;opacity:.85">'
                f'{html.escape(shard_label)}</span></div>')
    title = html.escape(f"{'×'.join(map(str, shape))} over {sharding.num_devices} devices"
                        + (f": {sharding.spec}" if hasattr(sharding, "spec") else ""))
    return (f'<div class="gb-sharding" style="font:12px/1.3 ui-monospace,monospace;'
            f'display:inline-block"><div style="color:#57606a;margin-bottom:3px">{title}</div>'
            f'<div style="display:inline-grid;gap:1px;background:#fff;border:1px solid #d0d7de;'
            f'grid-template-columns:{" ".join(f"{w}px" for w in col_px)};'
            f'grid-template-rows:{" ".join(f"{h}px" for h in row_px)};">'
            + "".join(cells) + "</div></div>")


class ShardingPicture:
    """What a notebook displays for ``visualize_sharding``: the HTML grid, with JAX's
    text picture as the plain-text form."""

    def __init__(self, text, html_text):
        self.text, self.html = text, html_text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.text, "text/html": self.html}

    def __repr__(self):
        return self.text


def _in_notebook():
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _visualize(shape, sharding, dtype, *, use_color, scale, min_width, max_width, color_map):
    _check_rank(shape)
    if not isinstance(getattr(sharding, "mesh", None), (sharding_lib.Mesh, type(None))):
        raise ValueError(
            f"visualize_sharding: {sharding} is over an abstract mesh (no devices): inside "
            "jit, call it under `with glassbox.sharding.set_mesh(mesh):` so that the mesh's "
            "devices are known")
    if _in_notebook():
        text = _sharding_text(shape, sharding, use_color=False, scale=scale,
                             min_width=min_width, max_width=max_width)
        sys.modules["IPython"].display.display(
            ShardingPicture(text, _sharding_html(shape, sharding, dtype, scale=scale,
                                                min_width=min_width, max_width=max_width)))
        return
    console = _console(max_width)
    console.print(_rich_table(shape, sharding, use_color=use_color, scale=scale,
                              min_width=min_width, max_width=max_width, color_map=color_map,
                              console=console), end="\n\n")


def visualize_sharding(shape, sharding, *, use_color=True, scale=1.0, min_width=9,
                       max_width=80, color_map=None):
    """Draw how ``sharding`` lays out an array of ``shape`` (1-D or 2-D) over devices:
    one box per block of the array, labelled with the devices holding it."""
    _visualize(tuple(shape), sharding, None, use_color=use_color, scale=scale,
               min_width=min_width, max_width=max_width, color_map=color_map)


def visualize_array_sharding(arr, *, use_color=True, scale=1.0, min_width=9, max_width=80,
                             color_map=None):
    """Draw how the array ``arr`` (1-D or 2-D) is laid out over devices: one box per
    block, labelled with the devices holding it (and in a notebook with each shard's
    shape and bytes)."""
    def draw(sharding):
        _visualize(tuple(arr.shape), sharding, arr.dtype, use_color=use_color, scale=scale,
                   min_width=min_width, max_width=max_width, color_map=color_map)
    inspect_array_sharding(arr, callback=draw)


# JAX's names: ``jax.debug.callback`` and ``jax.debug.print`` (set here, at the end, so
# this module's own code never sees ``print`` shadowed).
callback = debug_callback
print = debug_print  # noqa: A001
log = functools.partial(debug_print, _use_logging=True)
log.__doc__ = ("Log ``fmt.format(*args, **kwargs)`` from inside a program: ``debug.print`` "
               "whose message goes to the ``glassbox.debugging`` logger at INFO, naming the "
               "user's file and line.")

__all__ = ["inspect_array_sharding", "visualize_array_sharding", "visualize_sharding",
           "callback", "print", "log", "breakpoint", "DebuggerQuit", "register_debugger"]
