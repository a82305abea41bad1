"""glassbox.kernel: the IPython kernel and notebook magics (see issue 6)."""
