"""``install_as_jax`` / ``python -m glassbox.as_jax``: ``import jax`` gives glassbox.

Each case runs in a fresh interpreter: the hook is process-wide, and the rest of the
test session imports glassbox as itself.
"""
import json
import subprocess
import sys
import textwrap

import numpy as np

import glassbox


def _python(*args, cwd=None):
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)
    return proc


def _run_script(tmp_path, source, *argv):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    proc = _python("-m", "glassbox.as_jax", str(script), *argv, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "RuntimeWarning" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_script_written_for_jax_runs_on_glassbox(tmp_path):
    out = _run_script(tmp_path, """
        import json, sys
        import jax
        import jax.numpy as jnp
        from jax import lax, random, nn, tree_util
        import glassbox

        def loss(w, x):
            return jnp.sum(nn.relu(x @ w) ** 2)

        w = random.normal(random.key(0), (3, 2))
        x = jnp.arange(12.0).reshape(4, 3) / 10
        g = jax.jit(jax.grad(loss))(w, x)
        print(json.dumps({
            "argv": sys.argv[1:],
            "version": jax.__version__, "version_info": list(jax.__version_info__),
            "glassbox_version": glassbox.__version__,
            "same_modules": [jnp is glassbox.numpy, lax is glassbox.lax,
                             tree_util is glassbox.tree_util, jax.Array is glassbox.Array],
            "w": jax.device_get(w).tolist(), "x": jax.device_get(x).tolist(),
            "g": jax.device_get(g).tolist(),
        }))
        """, "--flag", "7")
    assert out["argv"] == ["--flag", "7"]
    assert out["version"] == "0.10.2" and out["version_info"] == [0, 10, 2]
    assert out["glassbox_version"] == glassbox.__version__ != "0.10.2"
    assert out["same_modules"] == [True, True, True, True]
    w, x = np.array(out["w"], np.float32), np.array(out["x"], np.float32)
    expected = 2 * x.T @ np.maximum(x @ w, 0)          # d/dw sum(relu(xw)^2)
    np.testing.assert_allclose(out["g"], expected, rtol=1e-5, atol=1e-6)


def test_run_as_module_and_private_names(tmp_path):
    (tmp_path / "usejax.py").write_text(textwrap.dedent("""
        import json, sys
        import jax, jax.version
        from jax._src import traceback_util
        from jax._src.core import trace_state_clean
        from jax._src.dtypes import TypePromotionError
        inside = []
        jax.jit(lambda x: inside.append(trace_state_clean()) or x)(1.0)
        print(json.dumps({"argv": sys.argv[1:], "version": jax.version.__version__,
                          "clean": [trace_state_clean(), *inside],
                          "boundary": callable(traceback_util.api_boundary),
                          "promotion_error": issubclass(TypePromotionError, ValueError)}))
        """))
    proc = _python("-m", "glassbox.as_jax", "-m", "usejax", "a", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {"argv": ["a"], "version": "0.10.2", "clean": [True, False],
                   "boundary": True, "promotion_error": True}


def test_a_module_glassbox_lacks_is_a_clear_import_error():
    proc = _python("-c", textwrap.dedent("""
        import glassbox
        glassbox.install_as_jax()
        try:
            import jax.no_such_module
        except ModuleNotFoundError as err:
            print(err.name, "|", err)
        """))
    assert proc.returncode == 0, proc.stderr
    name, message = proc.stdout.strip().split(" | ")
    assert name == "jax.no_such_module"
    assert "glassbox.no_such_module" in message and "install_as_jax" in message


def test_refuses_when_the_real_jax_is_already_imported():
    # Stands in for the real jax (never installed here): any module named jax that is
    # not glassbox's.
    proc = _python("-c", textwrap.dedent("""
        import sys, types
        fake = types.ModuleType("jax"); fake.__file__ = "/somewhere/jax/__init__.py"
        sys.modules["jax"] = fake
        import glassbox
        try:
            glassbox.install_as_jax()
        except ImportError as err:
            print(err)
        print(sys.modules["jax"] is fake)
        """))
    assert proc.returncode == 0, proc.stderr
    message, still_fake = proc.stdout.strip().splitlines()
    assert "real jax is already imported (from /somewhere/jax/__init__.py)" in message
    assert "before any library imports jax" in message
    assert still_fake == "True"


def test_installing_twice_is_harmless_and_the_usage_message():
    proc = _python("-c", textwrap.dedent("""
        import sys, glassbox
        a = glassbox.install_as_jax(); b = glassbox.install_as_jax()
        from glassbox.as_jax import JaxFinder
        print(a is b, sum(isinstance(f, JaxFinder) for f in sys.meta_path))
        """))
    assert proc.stdout.split() == ["True", "1"], proc.stderr
    usage = _python("-m", "glassbox.as_jax")
    assert usage.returncode == 2 and "usage: python -m glassbox.as_jax" in usage.stdout
