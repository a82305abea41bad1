"""Record what JAX 0.10.2 does for the cases of tests/test_lax_rest.py.

Run with the real JAX (never imported by glassbox or its tests):

    .venv-jax/bin/python tests/make_lax_rest_golden.py

It writes tests/lax_rest_golden.json: jnp promotion tables with x64 off and on, the
errors of jnp binary functions on unbroadcastable shapes, the equations of token
jaxprs, and values of scatter_apply, scaled_dot and var/std with a traced ddof.
"""
import json
import pathlib
import subprocess
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))   # for ``tests.lax_rest_cases``
from tests import lax_rest_cases as cases  # noqa: E402

OUT = pathlib.Path(__file__).with_name("lax_rest_golden.json")


def promotion(x64):
    """One table, in a fresh process (x64 is fixed at JAX's first use)."""
    code = (f"import jax; jax.config.update('jax_enable_x64', {x64}); import json, sys; "
            f"sys.path.insert(0, {str(pathlib.Path(__file__).parents[1])!r}); "
            "from tests import lax_rest_cases as c; print(json.dumps(c.promotion_table(jax)))")
    return json.loads(subprocess.check_output([sys.executable, "-c", code]))


def main():
    import jax
    jnp, lax = jax.numpy, jax.lax
    golden = {"promotion_x64_off": promotion(False), "promotion_x64_on": promotion(True),
              "broadcast_errors": cases.broadcast_errors(jax)}
    jaxprs = {}
    t = lax.create_token()
    for name, (fun, args) in cases.token_jaxprs(lax, t).items():
        j = jax.make_jaxpr(fun)(*args)
        short = lambda a: a.str_short(short_dtypes=True)   # noqa: E731
        jaxprs[name] = {"in": [short(a) for a in j.in_avals],
                        "eqns": [[e.primitive.name, [short(v.aval) for v in e.invars],
                                  [short(v.aval) for v in e.outvars]] for e in j.eqns],
                        "out": [short(a) for a in j.out_avals]}
    golden["token_jaxprs"] = jaxprs
    golden["scatter_apply"] = {k: np.asarray(f()).tolist()
                               for k, f in cases.scatter_apply_cases(jax).items()}
    golden["scaled_dot"] = {k: np.asarray(f()).astype(np.float32).tolist()
                            for k, f in cases.scaled_dot_cases(jax).items()}
    golden["var_ddof"] = {k: np.asarray(f()).tolist() for k, f in cases.var_cases(jax).items()}
    relu = jax.make_jaxpr(jax.nn.relu)(1.)
    golden["relu_weak"] = [relu.in_avals[0].weak_type, relu.out_avals[0].weak_type]
    OUT.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
