"""``jax.experimental.layout``: an array's memory layout, paired with its sharding.

glassbox always uses XLA's default (row-major) layouts, so a ``Layout`` here only
describes; ``Format(layout, sharding)`` is what flax's sharding helpers pass around
(``isinstance(x, Format)`` and its two fields). ``jit`` takes a ``Format``'s
sharding; a layout other than ``None`` (the default) is refused with a clear error.
"""


class Layout:
    """Which dimension is most minor in memory (``major_to_minor``), and tiling."""

    def __init__(self, major_to_minor, tiling=(), *, sub_byte_element_size_in_bits=0):
        self.major_to_minor = tuple(major_to_minor)
        self.tiling = tuple(tuple(t) for t in tiling)
        self.sub_byte_element_size_in_bits = sub_byte_element_size_in_bits

    def __repr__(self):
        return f"Layout(major_to_minor={self.major_to_minor}, tiling={self.tiling})"

    def __eq__(self, other):
        return (isinstance(other, Layout) and self.major_to_minor == other.major_to_minor
                and self.tiling == other.tiling)

    def __hash__(self):
        return hash((self.major_to_minor, self.tiling))


class Format:
    """A ``Layout`` (or ``None``: XLA's default) and a sharding (or ``None``)."""

    def __init__(self, layout=None, sharding=None):
        if layout is not None and not isinstance(layout, Layout):
            raise TypeError(f"Format's layout must be a Layout or None, got {layout!r}")
        self.layout, self.sharding = layout, sharding

    def __repr__(self):
        return f"Format({self.layout}, {self.sharding})"

    def __eq__(self, other):
        return (isinstance(other, Format) and self.layout == other.layout
                and self.sharding == other.sharding)

    def __hash__(self):
        return hash((self.layout, self.sharding))
