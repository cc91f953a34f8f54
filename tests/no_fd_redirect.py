"""Load the real GGUF, compile a grammar and generate under it, with fd redirection forbidden.

``python tests/no_fd_redirect.py``: replaces ``os.dup2`` (what pointing fds 1 and 2 at /dev/null
needs) with a function that records the call and fails; prints the calls seen, one per line, and
``done`` at the end.
"""

from __future__ import annotations

import os

calls: list[str] = []
original = os.dup2


def forbidden(fd: int, fd2: int, inheritable: bool = True) -> int:
    calls.append(f"dup2({fd}, {fd2})")
    raise OSError("a library tried to redirect a file descriptor")


os.dup2 = forbidden

from cockpit.llm.responder import load_model  # noqa: E402 - after the guard, on purpose
from cockpit.settings import LlmSettings  # noqa: E402
from models.store import ModelStore  # noqa: E402

model = load_model(LlmSettings(), ModelStore())
prompt = model.tokenize("<|im_start|>user\nsay yes or no<|im_end|>\n<|im_start|>assistant\n", special=True)
answer = "".join(model.generate(prompt, max_tokens=4, grammar='root ::= "yes" | "no"\n'))
model.close()
for call in calls:
    print(call)
print("answer", answer)
print("done", flush=True)
