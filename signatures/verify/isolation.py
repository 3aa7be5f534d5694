"""Isolation: each analysis runs in a child process under a time limit and a memory limit.

The child comes from a `forkserver` whose server has preloaded this module and `signatures.verify.analysis`
(so pyHanko and the library fixes of `signatures/__init__.py`), which lets a child start in ~15 ms. With
pyHanko's decode limits (`reading.DECODE_LIMITS`) this is what makes xref loops and decompression bombs
harmless. `run_isolated` is the one seam: a long-lived worker pool (children recycled after N jobs, killed
on timeout) can replace the process-per-call there without touching the policy; it is not built yet.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import time
import warnings
from typing import Any, cast

from signatures.verify import analysis
from signatures.verify.findings import describe, failure
from signatures.verify.state import Job

logger = logging.getLogger(__name__)

_MP_CONTEXT = "forkserver"


def _context() -> Any:
    context = multiprocessing.get_context(_MP_CONTEXT)
    if _MP_CONTEXT == "forkserver":
        # Takes effect when this process starts its fork server: the server imports the main module, this
        # one (the child's entry point is here) and the analysis once, so each child begins with pyHanko
        # loaded instead of importing it again.
        context.set_forkserver_preload(["__main__", __name__, analysis.__name__])
    return context


def run_isolated(job: Job, *, time_limit: float, memory_limit: int) -> dict[str, Any]:
    """Run `analysis.analyse(job)` in a child process under the limits; the seam for a future worker pool."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main, args=(sender, job, memory_limit, time_limit), name="pakta-verify-pdf", daemon=True
    )
    deadline = time.monotonic() + time_limit
    try:
        process.start()
    except Exception as exc:  # e.g. no fork server possible, or called from a daemonic process
        receiver.close()
        sender.close()
        return failure("crashed", detail=f"start: {exc}")
    sender.close()
    try:
        if receiver.poll(max(0.0, deadline - time.monotonic())):
            try:
                result = cast(dict[str, Any], receiver.recv())
            except (EOFError, OSError):
                result = failure("crashed", detail=f"exit code {_reap(process)}")
        else:
            result = failure("timeout", seconds=_format_seconds(time_limit))
    finally:
        receiver.close()
        _reap(process)
    return result


def _reap(process: Any) -> int | None:
    process.join(0.5)
    if process.is_alive():
        process.kill()
        process.join()
    return cast(int | None, process.exitcode)


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _child_main(sender: Any, job: Job, memory_limit: int, time_limit: float) -> None:
    """Entry point of the child: limit resources, analyse, send plain data back."""
    try:
        _limit_resources(memory_limit, time_limit)
        warnings.simplefilter("ignore")
        for name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        result = analysis.analyse(job)
    except MemoryError:
        result = failure("memory")
    except RecursionError:
        result = failure("too_complex")
    except BaseException as exc:  # the child reports everything; the parent decides
        result = failure("unreadable", detail=describe(exc))
    try:
        sender.send(result)
    except Exception as exc:  # e.g. MemoryError while pickling: the parent sees EOF and reports a crash
        logger.debug("could not send the verification result: %s", describe(exc))
    finally:
        sender.close()


def _limit_resources(memory_limit: int, time_limit: float) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the parent's timeout still applies
        return
    current = _address_space_in_use()
    if current:  # the limit is on top of what the child already maps (unknown without /proc: no limit)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = current + memory_limit
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    cpu = math.ceil(time_limit) + 1
    _cpu_soft, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard != resource.RLIM_INFINITY:
        cpu = min(cpu, cpu_hard)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))


def _address_space_in_use() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
