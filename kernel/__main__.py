"""``python -m glassbox.kernel``: start the kernel, or ``install`` its kernelspec.

    python -m glassbox.kernel -f CONNECTION_FILE      (what Jupyter runs)
    python -m glassbox.kernel install [--user|--sys-prefix|--prefix P] [--name N]
"""
import os
import sys


def _main(argv):
    if argv[:1] == ["install"]:
        from .install import main
        return main(argv[1:])
    if sys.path and sys.path[0] in ("", ".", os.getcwd()):
        # As ipykernel_launcher does: the notebook's folder goes back on the path later
        # (init_path), after the kernel's own imports, so a local file cannot shadow them.
        del sys.path[0]
    from .app import main
    return main(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
