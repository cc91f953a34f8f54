"""Run the ``cockpit`` CLI with the language model's file load held open (a test hook).

``python tests/slow_load_cli.py MARKERS RELEASE cockpit-args...``: llama.cpp's model load waits
until the file RELEASE exists (60 s at most), and turns wait until that load has begun, so every
turn runs while the model is loading. MARKERS gets a ``load-start`` line when the load begins and
``load-end`` when it finishes, each with ``time.time()``. The CLI itself is the real one, in this
process; nothing else is changed.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path
from typing import Any

import llama_cpp.llama_cpp as llama_capi

from cockpit.cli.main import main
from cockpit.pipeline import TurnPipeline

markers, release, *args = sys.argv[1:]
load = llama_capi.llama_model_load_from_file
run_text = TurnPipeline.run_text
loading = threading.Event()


def held_load(*load_args: object) -> object:
    loading.set()
    with open(markers, "a") as fh:
        print("load-start", time.time(), file=fh, flush=True)
    for _ in range(600):
        if Path(release).exists():
            break
        time.sleep(0.1)
    try:
        return load(*load_args)
    finally:
        with open(markers, "a") as fh:
            print("load-end", time.time(), file=fh, flush=True)


async def turn_once_loading(self: TurnPipeline, *turn_args: Any, **turn_kwargs: Any) -> None:
    for _ in range(600):
        if loading.is_set():
            break
        await asyncio.sleep(0.1)
    await run_text(self, *turn_args, **turn_kwargs)


llama_capi.llama_model_load_from_file = held_load
TurnPipeline.run_text = turn_once_loading  # type: ignore[method-assign]
sys.exit(main(args))
