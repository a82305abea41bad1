"""Run the benchmarks on glassbox and, when available, on the real JAX, in alternation.

Usage (``make bench`` does this, creating ``.venv-jax`` first)::

    .venv/bin/python benchmarks/run.py [--jax-python .venv-jax/bin/python]
                                       [--rounds 5] [--repeat 3] [--only SUBSTRING]
                                       [--json results.json] [--verbose]

The programs (``programs.py``) are written once against JAX's API. Two
worker processes run them: one with ``import glassbox as jax`` (this
interpreter), one with the real JAX (``--jax-python``; skipped when absent).
The two never share a process, so glassbox cannot pick up ``jax`` by
accident. Each round asks every worker in turn for ``--repeat`` timings of
every program, swapping which worker goes first each round, so slow drifts
of the machine (thermal, other load) hit both alike. The table shows
medians over all timings.
"""
import argparse
import gc
import json
import os
import pathlib
import statistics
import subprocess
import sys
import traceback

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_JAX_PYTHON = REPO / ".venv-jax" / "bin" / "python"
MIN_SECONDS = 0.02   # timeit-style autorange: grow `number` until one run takes this long


# --- the worker: one process per library ----------------------------------------

def _import_library(kind):
    if kind == "glassbox":
        import glassbox as jax
        import glassbox.numpy as jnp
        version = f"glassbox {jax.__version__}"
    else:
        import jax
        import jax.numpy as jnp
        version = f"jax {jax.__version__}"
    import numpy as np
    import jaxlib
    return jax, jnp, np, f"{version}, jaxlib {jaxlib.__version__}, numpy {np.__version__}"


def _autorange(timed):
    number = 1
    while True:
        if timed.run(number) >= MIN_SECONDS or number >= 1 << 20:
            return number
        number *= 2 if number < 8 else 10


def _measure(timed, number, repeat):
    """Per-call seconds for ``repeat`` runs of ``number`` calls, GC off as in timeit."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            times.append(timed.run(number) / number)
        finally:
            gc.enable()
    return times


def _failure(err, verbose):
    """One line for the table; the whole traceback on stderr with ``--verbose``."""
    if verbose:
        traceback.print_exc()
    return f"{type(err).__name__}: {err}".splitlines()[0][:120]


def worker(kind, verbose=False):
    """Answer one JSON request per stdin line: ``{"name", "repeat"}`` -> ``{"times"}``."""
    # Keep the protocol channel clean: anything the libraries print goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(**message):
        channel.write(json.dumps(message) + "\n")

    sys.path.insert(0, str(HERE))
    import programs
    try:
        jax, jnp, np, version = _import_library(kind)
    except Exception as err:  # report and exit: the parent shows it in the table
        reply(error=f"cannot import {kind}: {type(err).__name__}: {err}")
        return
    reply(ready=version)
    prepared = {}   # name -> (Timed, number) or an error string
    for line in sys.stdin:
        request = json.loads(line)
        name = request["name"]
        if name not in prepared:
            try:
                timed = programs.BY_NAME[name].setup(jax, jnp, np)
                prepared[name] = (timed, _autorange(timed))
            except Exception as err:
                prepared[name] = _failure(err, verbose)
        entry = prepared[name]
        if isinstance(entry, str):
            reply(error=entry)
            continue
        timed, number = entry
        try:
            reply(times=_measure(timed, number, request["repeat"]), number=number)
        except Exception as err:
            prepared[name] = _failure(err, verbose)
            reply(error=prepared[name])


# --- the parent: alternate requests, print the table ---------------------------------

class Worker:
    def __init__(self, kind, python, verbose=False):
        env = dict(os.environ)
        env.setdefault("JAX_PLATFORMS", "cpu")   # same device as glassbox's CPU client
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.kind = kind
        self.proc = subprocess.Popen([str(python), str(HERE / "run.py"), "--worker", kind]
                                     + (["--verbose"] if verbose else []),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=REPO, env=env, bufsize=1)
        hello = self._read()
        self.version = hello.get("ready")
        self.error = hello.get("error")

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            return {"error": f"{self.kind} worker exited (status {self.proc.wait()})"}
        return json.loads(line)

    def ask(self, name, repeat):
        self.proc.stdin.write(json.dumps({"name": name, "repeat": repeat}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def collect(workers, programs, rounds, repeat, log):
    """{program name: {worker kind: [per-call seconds] or "error text"}}."""
    results = {p.name: {} for p in programs}
    for r in range(rounds):
        order = workers if r % 2 == 0 else workers[::-1]
        for program in programs:
            for w in order:
                if w.kind not in program.backends:
                    continue
                if w.error:  # it could not even import its library
                    results[program.name][w.kind] = w.error
                    continue
                got = results[program.name].get(w.kind)
                if isinstance(got, str):
                    continue  # it failed before; do not ask again
                answer = w.ask(program.name, repeat)
                if "error" in answer:
                    results[program.name][w.kind] = answer["error"]
                else:
                    results[program.name].setdefault(w.kind, []).extend(answer["times"])
        log(f"round {r + 1}/{rounds} done")
    return results


def _fmt_time(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _cell(program, value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return f"error: {value}"
    if program.unit == "GFLOP/s":
        return f"{program.flops / value / 1e9:.1f} GFLOP/s"
    return _fmt_time(value)


def summarize(programs, results):
    """Rows of (benchmark, glassbox, JAX, ratio, target, verdict) from the raw timings."""
    medians = {name: {k: (statistics.median(v) if isinstance(v, list) else v)
                      for k, v in per.items()} for name, per in results.items()}
    numpy_time = medians.get("numpy matmul 2048^2 f32", {}).get("glassbox")
    rows = []
    for program in programs:
        gb, jx = medians[program.name].get("glassbox"), medians[program.name].get("jax")
        both = isinstance(gb, float) and isinstance(jx, float)
        ratio = f"{gb / jx:.2f}x" if both else "-"
        verdict = ""
        if program.max_ratio is not None and both:
            verdict = "ok" if gb / jx <= program.max_ratio else "MISS"
        if program.numpy_rate_fraction is not None and isinstance(gb, float) \
                and isinstance(numpy_time, float):
            fraction = numpy_time / gb   # rate ratio glassbox / NumPy
            verdict = ("ok" if fraction >= program.numpy_rate_fraction else "MISS") \
                + f" ({fraction:.0%} of NumPy)"
        rows.append((program.name, _cell(program, gb), _cell(program, jx), ratio,
                     program.target, verdict))
    return rows, medians


def format_table(rows):
    header = ("benchmark", "glassbox", "JAX", "glassbox/JAX (time)", "target", "result")
    table = [header] + rows
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |"
             for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", choices=("glassbox", "jax"), help=argparse.SUPPRESS)
    parser.add_argument("--jax-python", default=str(DEFAULT_JAX_PYTHON),
                        help="python of an environment with jax and jaxlib 0.10.2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="timings per round and worker")
    parser.add_argument("--only", default="", help="run programs whose name contains this")
    parser.add_argument("--json", help="also write medians and raw timings here")
    parser.add_argument("--verbose", action="store_true",
                        help="print the traceback of any program that fails")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.verbose)

    sys.path.insert(0, str(HERE))
    import programs as programs_module
    programs = [p for p in programs_module.PROGRAMS if args.only in p.name]

    def log(message):
        print(message, file=sys.stderr, flush=True)

    load_before = os.getloadavg()[0]
    workers = [Worker("glassbox", sys.executable, args.verbose)]
    if pathlib.Path(args.jax_python).exists():
        workers.append(Worker("jax", args.jax_python, args.verbose))
    else:
        log(f"no JAX environment at {args.jax_python}: glassbox numbers only "
            f"(`make bench` creates one)")
    for w in workers:
        log(f"{w.kind}: {w.version or w.error}")
    try:
        results = collect(workers, programs, args.rounds, args.repeat, log)
    finally:
        for w in workers:
            w.close()
    rows, medians = summarize(programs, results)
    print()
    print(format_table(rows))
    print(f"\nmedians of {args.rounds} rounds x {args.repeat} timings; "
          f"{os.cpu_count()} CPU cores, load average {load_before:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after (other work on the machine skews the numbers); "
          + "; ".join(w.version or w.kind for w in workers))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"medians": medians, "raw": results, "rows": rows,
             "versions": {w.kind: w.version for w in workers}}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
