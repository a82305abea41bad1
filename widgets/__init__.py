"""glassbox.widgets: live views of traced programs (see issue 7)."""
