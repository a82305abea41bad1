"""binder/: the files Binder reads, and its postBuild run in a fresh virtual environment.

The fresh environment borrows every dependency from the one running the tests
(a ``.pth`` file pointing at its site-packages) and builds glassbox without
build isolation or an index, so nothing is downloaded. postBuild then
installs glassbox as a wheel (which ships the kernelspec as wheel data) and
the kernelspec for that environment's Python; a kernel started from it must
import the freshly installed glassbox.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"
# What a build of glassbox needs from the repository.
SOURCES = ("core", "kernel", "widgets", "binder", "pyproject.toml", "README.md")


def _names(requirements):
    names = set()
    for line in requirements:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\s<>=!~\[;]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_binder_files_are_there():
    assert "graphviz" in (BINDER / "apt.txt").read_text().split()
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert "glassbox.kernel install" in post_build.read_text()


def test_requirements_cover_what_pyproject_declares():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = _names(project["dependencies"] + extras["kernel"] + extras["lab"])
    listed = _names((BINDER / "requirements.txt").read_text().splitlines())
    assert wanted <= listed, f"binder/requirements.txt lacks {sorted(wanted - listed)}"


def _fresh_venv(root):
    """A virtual env without pip whose imports fall back on this environment's packages."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], check=True, capture_output=True, text=True).stdout
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.strip()) / "_borrowed_from_test_env.pth").write_text("\n".join(sorted(outer)))
    return venv, python


def _copy_sources(dest):
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


_START_KERNEL = textwrap.dedent("""
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="glassbox", startup_timeout=60)
    try:
        msg_id = kc.execute("import json; "
                            "print(json.dumps([gb.__file__, float(gnp.arange(4.0).sum())]))")
        out = ""
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out += msg["content"]["text"]
            if msg["msg_type"] == "error":
                out += "ERROR " + msg["content"]["evalue"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        print(out.strip())
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
""")


def test_post_build_in_a_fresh_virtual_env(tmp_path):
    venv, python = _fresh_venv(tmp_path)
    repo = _copy_sources(tmp_path / "repo")
    env = dict(os.environ)
    env.pop("JUPYTER_PATH", None)
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "VIRTUAL_ENV": str(venv),
        "PIP_NO_BUILD_ISOLATION": "0",   # pip's inverted switch: build with what is installed
        "PIP_NO_INDEX": "1",             # ... and never reach for an index
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-user"),  # no user-level kernelspecs
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    build = subprocess.run(["bash", str(repo / "binder" / "postBuild")], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr

    spec_dir = venv / "share" / "jupyter" / "kernels" / "glassbox"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == str(python)
    assert spec["argv"][1:3] == ["-m", "glassbox.kernel"]
    assert (spec_dir / "logo-64x64.png").exists()

    # The wheel itself carries the kernelspec (so a plain `pip install` provides it).
    record = subprocess.run(
        [str(python), "-c", "from importlib.metadata import distribution as d; "
         "print('\\n'.join(str(f) for f in d('glassbox').files))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert "share/jupyter/kernels/glassbox/kernel.json" in record

    run = subprocess.run([str(python), "-c", _START_KERNEL], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    module_file, total = json.loads(run.stdout.strip().splitlines()[-1])
    assert module_file.startswith(str(venv)), module_file  # the fresh install, not the repo's
    assert total == 6.0
