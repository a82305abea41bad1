"""Run the benchmarks on glassbox and, when available, on the real JAX, in alternation.

Usage (``make bench`` does this, creating ``.venv-jax`` first)::

    .venv/bin/python benchmarks/run.py [--jax-python .venv-jax/bin/python]
                                       [--rounds 3] [--repeat 3] [--only SUBSTRING]
                                       [--no-noise-floor]
                                       [--json results.json] [--verbose]

The programs (``programs.py``, plus ``views.py``'s when that file exists) are
written once against JAX's API. Worker processes run them: one with
``import glassbox as jax`` (this interpreter), one with the real JAX
(``--jax-python``; skipped when absent) and, for the noise floor, a second,
identical JAX worker (``--no-noise-floor`` drops it). They never share a
process, so glassbox cannot pick up ``jax`` by accident. Each round asks every
worker in turn for ``--repeat`` timings of every program, rotating which
worker goes first each round, so slow drifts of the machine (thermal, other
load) hit all alike. The table shows medians over all timings: glassbox/JAX,
and JAX/JAX (the second JAX worker over the first), the ratio two runs of the
same library give on this machine in this run.
"""
import argparse
import gc
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
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
    """Per-call seconds for ``repeat`` runs of ``number`` calls, GC off as in timeit;
    for a ``Measured`` program, ``repeat`` of its own samples."""
    if number is None:
        return [float(timed.sample()) for _ in range(repeat)]
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
    return f"{type(err).__name__}: {err}".splitlines()[0][:300]


def load_programs(kind=None, log=None):
    """``programs.PROGRAMS`` plus ``views.PROGRAMS`` when ``views.py`` exists (the
    graph-view rows; glassbox only). A ``views.py`` that fails to import is left
    out with a note from the parent (``log``); workers other than glassbox's do not
    import it at all (it may need glassbox)."""
    sys.path.insert(0, str(HERE))
    import programs
    found = list(programs.PROGRAMS)
    if (HERE / "views.py").exists() and kind in (None, "glassbox"):
        try:
            import views
            found += list(views.PROGRAMS)
        except Exception as err:   # the runner must work without it
            if log is not None:
                log(f"benchmarks/views.py left out: {type(err).__name__}: {err}")
    return found


def worker(kind, verbose=False):
    """Answer one JSON request per stdin line: ``{"name", "repeat"}`` -> ``{"times"}``."""
    # Keep the protocol channel clean: anything the libraries print goes to stderr.
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(**message):
        channel.write(json.dumps(message) + "\n")

    by_name = {p.name: p for p in load_programs(kind)}
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
                timed = by_name[name].setup(jax, jnp, np)
                number = None if isinstance(timed, programs.Measured) else _autorange(timed)
                prepared[name] = (timed, number)
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
    def __init__(self, kind, python, verbose=False, label=None):
        env = dict(os.environ)
        env.setdefault("JAX_PLATFORMS", "cpu")   # same device as glassbox's CPU client
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.kind = kind
        self.label = label or kind   # "jax2": the second JAX worker (the noise floor)
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
            return {"error": f"{self.label} worker exited (status {self.proc.wait()})"}
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
    """{program name: {worker label: [per-call seconds] or "error text"}}."""
    results = {p.name: {} for p in programs}
    for r in range(rounds):
        shift = r % len(workers)   # each worker goes first in turn
        order = workers[shift:] + workers[:shift]
        for program in programs:
            n = repeat if program.repeat is None else min(repeat, program.repeat)
            for w in order:
                if w.kind not in program.backends:
                    continue
                if w.error:  # it could not even import its library
                    results[program.name][w.label] = w.error
                    continue
                got = results[program.name].get(w.label)
                if isinstance(got, str):
                    continue  # it failed before; do not ask again
                answer = w.ask(program.name, n)
                if "error" in answer:
                    results[program.name][w.label] = answer["error"]
                else:
                    results[program.name].setdefault(w.label, []).extend(answer["times"])
        log(f"round {r + 1}/{rounds} done")
    return results


def _fmt_time(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _cell(program, value, errors=None):
    if value is None:
        return "-"
    if isinstance(value, str):
        if errors is None:
            return f"error: {value}"
        errors.append(value)   # the table shows a mark, the text goes below it
        return f"error [{len(errors)}]"
    if program.unit == "GFLOP/s":
        return f"{program.flops / value / 1e9:.1f} GFLOP/s"
    if program.unit == "MB":
        return f"{value:.1f} MB"
    return _fmt_time(value)


def _ratio(a, b):
    return f"{a / b:.2f}x" if isinstance(a, float) and isinstance(b, float) and b else "-"


def summarize(programs, results, errors=None):
    """Rows of (benchmark, glassbox, JAX, ratio, noise, target, verdict) from the raw
    timings; ``noise`` is the second JAX worker's median over the first's. Given a
    list ``errors``, failed cells read ``error [n]`` and their texts are appended."""
    medians = {name: {k: (statistics.median(v) if isinstance(v, list) else v)
                      for k, v in per.items()} for name, per in results.items()}
    numpy_time = medians.get("numpy matmul 2048^2 f32", {}).get("glassbox")
    rows = []
    for program in programs:
        per = medians[program.name]
        gb, jx, jx2 = per.get("glassbox"), per.get("jax"), per.get("jax2")
        both = isinstance(gb, float) and isinstance(jx, float)
        verdict = ""
        if program.max_ratio is not None and both:
            verdict = "ok" if gb / jx <= program.max_ratio else "MISS"
            if verdict == "MISS" and isinstance(jx2, float):
                spread = max(jx2 / jx, jx / jx2)   # how far JAX strays from itself
                if gb / jx <= program.max_ratio * spread:
                    verdict = "MISS (within noise)"
        if program.max_seconds is not None and isinstance(gb, float):
            verdict = "ok" if gb <= program.max_seconds else "MISS"
        if program.numpy_rate_fraction is not None and isinstance(gb, float) \
                and isinstance(numpy_time, float):
            fraction = numpy_time / gb   # rate ratio glassbox / NumPy
            verdict = ("ok" if fraction >= program.numpy_rate_fraction else "MISS") \
                + f" ({fraction:.0%} of NumPy)"
        noise = _cell(program, jx2, errors) if isinstance(jx2, str) else _ratio(jx2, jx)
        rows.append((program.name, _cell(program, gb, errors), _cell(program, jx, errors),
                     _ratio(gb, jx), noise, program.target, verdict))
    return rows, medians


HEADER = ("benchmark", "glassbox", "JAX", "glassbox/JAX", "JAX/JAX (noise)", "target",
          "result")


def format_table(rows, header=HEADER):
    table = [header] + rows
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |"
             for row in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def scaling(programs, medians, labels=("glassbox", "jax")):
    """Lines on how trace+lower grows with program size (rows with ``equations``):
    microseconds per equation at each size, and the growth of that cost from the
    smallest to the largest program (1.0x is linear)."""
    sized = sorted((p for p in programs if p.equations), key=lambda p: p.equations)
    lines = []
    for label in labels:
        points = [(p.equations, medians[p.name].get(label)) for p in sized]
        points = [(n, t) for n, t in points if isinstance(t, float)]
        if len(points) < 2:
            continue
        per = ", ".join(f"{n:,}: {t / n * 1e6:.1f} us" for n, t in points)
        (n0, t0), (n1, t1) = points[-2], points[-1]
        growth = (t1 / n1) / (t0 / n0)   # per-equation cost, largest over next size
        shape = "linear" if growth <= 1.3 else "WORSE THAN LINEAR"
        lines.append(f"  {label}: per equation {per}; {n0:,} -> {n1:,} equations: "
                     f"{t1 / t0:.1f}x the time ({growth:.2f}x per equation: {shape})")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", choices=("glassbox", "jax"), help=argparse.SUPPRESS)
    parser.add_argument("--jax-python", default=str(DEFAULT_JAX_PYTHON),
                        help="python of an environment with jax and jaxlib 0.10.2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="timings per round and worker")
    parser.add_argument("--only", default="", help="run programs whose name contains this")
    parser.add_argument("--no-noise-floor", action="store_true",
                        help="skip the second JAX worker (the JAX/JAX column)")
    parser.add_argument("--json", help="also write medians and raw timings here")
    parser.add_argument("--verbose", action="store_true",
                        help="print the traceback of any program that fails")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.verbose)
    # Workers start in the repository root: a relative path means from here. (abspath,
    # not resolve: a venv's python is a symlink that must stay one.)
    args.jax_python = os.path.abspath(args.jax_python)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    programs = [p for p in load_programs(log=log) if args.only in p.name]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    workers = [Worker("glassbox", sys.executable, args.verbose)]
    if pathlib.Path(args.jax_python).exists():
        workers.append(Worker("jax", args.jax_python, args.verbose))
        if not args.no_noise_floor:
            workers.append(Worker("jax", args.jax_python, args.verbose, label="jax2"))
    else:
        log(f"no JAX environment at {args.jax_python}: glassbox numbers only "
            f"(`make bench` creates one)")
    for w in workers:
        log(f"{w.label}: {w.version or w.error}")
    try:
        results = collect(workers, programs, args.rounds, args.repeat, log)
    finally:
        for w in workers:
            w.close()
    errors = []
    rows, medians = summarize(programs, results, errors)
    print()
    print(format_table(rows))
    for i, text in enumerate(errors, 1):
        print(f"[{i}] {text}")
    growth = scaling(programs, medians)
    if growth:
        print("\ntrace+lower against program size:")
        print("\n".join(growth))
    print(f"\nmedians of {args.rounds} rounds x {args.repeat} timings (1 a round for "
          f"fresh-process and 10,000-equation rows); JAX/JAX: a second JAX worker over the "
          f"first, the noise floor of this run; {os.cpu_count()} CPU cores, load average "
          f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after (other work on the "
          f"machine skews the numbers); {time.perf_counter() - started:.0f} s; "
          + "; ".join(w.version or w.kind for w in workers[:2]))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"medians": medians, "raw": results, "rows": rows, "header": HEADER,
             "scaling": growth,
             "versions": {w.label: w.version for w in workers}}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
