"""Run the benchmarks: `python -m bench [name ...]` (`make bench`); names filter `bench_<name>.py`.

Sets up Django (DJANGO_SETTINGS_MODULE=config.settings, PAKTA_TESTING=1), imports every
`bench/bench_*.py`, calls its `run()` and prints the lines it returns. A failing benchmark is reported
on stderr and makes the exit status 1; the others still run.
"""

import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PAKTA_TESTING", "1")
    import django

    django.setup()
    wanted = set(argv)
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).resolve().parent)])
        if module.name.startswith("bench_") and (not wanted or module.name.removeprefix("bench_") in wanted)
    )
    failed = False
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
            for line in module.run():
                print(line, flush=True)
        except Exception:
            failed = True
            print(f"bench: {name} FAILED", file=sys.stderr)
            traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
