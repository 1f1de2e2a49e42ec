"""Shared by the asyncio peers of bench/: parameters, event loops, runs, JSON output.

Each peer is run by bench/run.ts as `python3 <peer>.py '<json params>'`, measures itself, and
prints one JSON line: {"variants": [{"name": ..., "runs": {metric: [value per run]}}]}.
"""

import asyncio
import gc
import json
import sys
import time


def params():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def loop_kinds():
    """asyncio's default loop, and uvloop where it is installed."""
    kinds = ["asyncio"]
    try:
        import uvloop  # noqa: F401

        kinds.append("uvloop")
    except ImportError:
        pass
    return kinds


def new_loop(kind):
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_variants(variants, runs):
    """variants: [(name, kind, coroutine function returning {metric: value})], interleaved."""
    results = {name: {} for name, _, _ in variants}
    for _ in range(runs):
        for name, kind, fn in variants:
            gc.collect()
            loop = new_loop(kind)
            try:
                figures = loop.run_until_complete(fn())
            finally:
                loop.close()
            for key, value in figures.items():
                results[name].setdefault(key, []).append(value)
    print(json.dumps({"variants": [{"name": n, "runs": r} for n, r in results.items()]}))


def now():
    return time.perf_counter()
