"""The persistent compilation cache: compiled executables kept on disk, so a new
process (a restarted notebook) loads what an earlier one compiled.

JAX's options and semantics: ``config.update("jax_compilation_cache_dir", path)``
turns it on (env ``JAX_COMPILATION_CACHE_DIR``), and an executable is written
only if compiling it took at least ``persistent_cache_min_compile_time_secs``
and it is at least ``persistent_cache_min_entry_size_bytes`` long. The runtime
keys an entry on everything that changes the binary (``key``) and does the
(de)serializing; this module only keeps bytes under keys. Each file is written
whole or not at all (a temporary file, then a rename) and carries a digest of
its contents, so a torn or corrupt entry is noticed before jaxlib ever reads
it: it warns, and the executable is compiled and written again.
"""
import hashlib
import os
import tempfile
import warnings

from .config import config

_MAGIC = b"glassbox-xla-1\n"
_DIGEST = hashlib.sha256().digest_size
_SUFFIX = ".xla"

# Since this process started (``info`` shows them; ``%gb_config`` prints them).
stats = {"hits": 0, "misses": 0, "writes": 0}


def directory():
    """The cache's directory, or None when the cache is off."""
    return config.compilation_cache_dir or None


def key(*parts):
    """The file name of an entry: a digest of ``parts`` (strings)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _path(name):
    return os.path.join(directory(), name + _SUFFIX)


def get(name):
    """The bytes stored under ``name``, or None (a miss; a corrupt entry warns)."""
    path = _path(name)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        stats["misses"] += 1
        return None
    except OSError as err:
        return _unusable(path, f"it could not be read ({err})")
    head, digest, payload = data[:len(_MAGIC)], data[len(_MAGIC):len(_MAGIC) + _DIGEST], \
        data[len(_MAGIC) + _DIGEST:]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        return _unusable(path, "it is corrupt (its digest does not match its contents)")
    stats["hits"] += 1
    return payload


def rejected(name, why):
    """The runtime could not load the entry ``name``: warn; it will be rewritten."""
    stats["hits"] -= 1
    _unusable(_path(name), why)


def _unusable(path, why):
    stats["misses"] += 1
    warnings.warn(f"glassbox's compilation cache entry {path} was ignored: {why}; "
                  f"compiling instead (the entry will be rewritten)", UserWarning, stacklevel=2)
    return None


def put(name, payload, compile_seconds):
    """Keep ``payload`` under ``name`` if it passes the thresholds; never raises."""
    if (compile_seconds < config.persistent_cache_min_compile_time_secs
            or len(payload) < config.persistent_cache_min_entry_size_bytes):
        return False
    folder = directory()
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, _path(name))   # atomic: readers see all of it or none
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:   # a full disk or a read-only directory must not stop a program
        warnings.warn(f"glassbox could not write to its compilation cache {folder}: {err}",
                      UserWarning, stacklevel=2)
        return False
    stats["writes"] += 1
    return True


def _entries():
    folder = directory()
    if folder is None or not os.path.isdir(folder):
        return []
    return [e for e in os.scandir(folder) if e.name.endswith(_SUFFIX) and e.is_file()
            and not e.name.startswith(".tmp-")]


def info():
    """The cache at a glance: directory, entries, bytes on disk, this process's counts."""
    entries = _entries()
    return {"directory": directory(), "entries": len(entries),
            "bytes": sum(e.stat().st_size for e in entries), **stats}


def clear():
    """Delete every entry (the directory stays). Returns how many were deleted."""
    entries = _entries()
    for entry in entries:
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            pass   # another process cleared it first
    return len(entries)
