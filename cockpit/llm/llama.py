"""The llama-cpp-python backend: the only module that imports ``llama_cpp``.

Greedy decoding, GBNF grammars, and prompt caching: llama-cpp-python keeps the tokens it last
evaluated and, when a new prompt starts with them, only evaluates the rest. This module evaluates
the uncached part itself, in small chunks, so a cancellation also lands while a prompt is being
read, not only between generated tokens.

The process's output belongs to the process. llama-cpp-python's ``verbose=False`` silences
llama.cpp by pointing file descriptors 1 and 2 at /dev/null while a model loads, which loses
every line any other thread prints meanwhile (a command turn's events, server logs). On import,
this module replaces that redirection with nothing and sends llama.cpp's own log through
``llama_log_set`` into Python ``logging`` (logger ``cockpit.llm.llama_cpp``: DEBUG, and ERROR
for llama.cpp's errors; its warnings are about the GGUF, e.g. token types, and stay at DEBUG).
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# llama.cpp's CPU backend synchronises its threads with OpenMP barriers, and OpenMP's default is
# to spin at a barrier. On the car's two cores that is ruinous as soon as anything else runs (the
# wake word, ASR): a thread spins while its partner waits for a core, generation drops 5-20x and
# the spinning steals the audio path's time. Sleeping at barriers costs about a quarter of the
# idle speed and keeps both usable. It must be set before libgomp loads, i.e. before the import
# below; an explicit OMP_WAIT_POLICY in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import llama_cpp
import llama_cpp._internals as llama_internals
import llama_cpp.llama as llama_module
import llama_cpp.llama_chat_format as llama_chat_format
import llama_cpp.llama_cpp as llama_capi

from cockpit.errors import LanguageModelError
from cockpit.llm.api import LanguageModel

PREFILL_CHUNK = 64
"""Prompt tokens of a turn evaluated between cancellation checks (about 0.3 s on two cores)."""
WARM_CHUNK = 512
"""Prompt tokens evaluated at once while warming the fixed prefix (smaller chunks cost ~30 %)."""
GRAMMAR_CACHE = 16
"""Compiled grammars kept, by text."""
END_OF_TURN_MARKERS = ("<|im_end|>", "<|endoftext|>")
"""ChatML end markers that end a turn besides the model's own end-of-sequence token."""

# llama-cpp-python reads its model defaults from this function while a Llama is built; the lock
# keeps two concurrent constructions from seeing each other's override (see open_llama).
_PARAMS_LOCK = threading.Lock()

_native_log = logging.getLogger("cockpit.llm.llama_cpp")
_GGML_ERROR = 4  # ggml_log_level (ggml.h): NONE, DEBUG, INFO, WARN, ERROR, CONT


class _NoRedirect(contextlib.AbstractContextManager[None]):
    """Stands in for llama-cpp-python's ``suppress_stdout_stderr``: leaves the descriptors alone."""

    def __init__(self, disable: bool = True) -> None:
        pass

    def __exit__(self, *_: object) -> None:
        return None


@llama_capi.llama_log_callback
def _log_to_python(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
    # Called by llama.cpp, possibly from its own threads; it must never raise into C.
    try:
        message = text.decode("utf-8", "replace").rstrip()
        if message:
            _native_log.log(logging.ERROR if level == _GGML_ERROR else logging.DEBUG, "%s", message)
    except Exception:
        pass


def _keep_output_to_the_process() -> None:
    """Stop llama-cpp-python from redirecting fds 1 and 2; route llama.cpp's log into ``logging``."""
    for module in (llama_module, llama_internals, llama_chat_format):
        if hasattr(module, "suppress_stdout_stderr"):
            module.suppress_stdout_stderr = _NoRedirect  # type: ignore[attr-defined]
    llama_capi.llama_log_set(_log_to_python, ctypes.c_void_p(0))


_keep_output_to_the_process()

# llama.cpp asks an abort callback between the nodes of every graph it computes. A Python callback
# would need the GIL hundreds of times per batch, so the callback is libc's strlen on a two-byte
# flag: "" (length 0, false) lets the batch run, "\x01" (length 1, true) aborts it within a node.
# No Python runs on llama.cpp's threads. See LlamaCppModel.abort.
_strlen = ctypes.CDLL(None).strlen
_ABORT_CALLBACK = ctypes.cast(_strlen, llama_capi.ggml_abort_callback)


@contextlib.contextmanager
def _model_params(extra_buffers: bool) -> Iterator[None]:
    """While active, new models load with ``use_extra_bufts = extra_buffers``.

    ``Llama()`` exposes no argument for it. The extra buffer types are llama.cpp's weight
    repacking, which includes the AMX kernels: on the build machines (Xeon with AMX, in a VM) they
    crash the process with SIGSEGV as soon as a batch of more than one token is evaluated.
    """
    with _PARAMS_LOCK:
        original = llama_capi.llama_model_default_params

        def params() -> Any:
            value = original()
            value.use_extra_bufts = extra_buffers
            return value

        llama_capi.llama_model_default_params = params
        try:
            yield
        finally:
            llama_capi.llama_model_default_params = original


def open_llama(
    path: str | Path,
    *,
    threads: int,
    context_tokens: int = 4096,
    seed: int = 0,
    batch_tokens: int = 512,
    extra_buffers: bool = False,
) -> llama_cpp.Llama:
    """A plain ``llama_cpp.Llama`` on ``path``, built the way :class:`LlamaCppModel` builds it.

    Benchmarks use it as the raw baseline, so both sides load the same file the same way.
    """
    with _model_params(extra_buffers):
        return llama_cpp.Llama(
            model_path=str(path),
            n_threads=threads,
            n_threads_batch=threads,
            n_ctx=context_tokens,
            n_batch=batch_tokens,
            n_ubatch=batch_tokens,
            seed=seed,
            verbose=False,
        )


class LlamaCppModel(LanguageModel):
    """A GGUF model on llama.cpp, loaded once and kept warm."""

    def __init__(
        self,
        path: str | Path,
        *,
        threads: int = 2,
        context_tokens: int = 4096,
        seed: int = 0,
        batch_tokens: int = 512,
        extra_buffers: bool = False,
        sha256: str = "",
    ) -> None:
        """Load ``path``; a missing or unreadable file is a ``LanguageModelError`` (``llm-load-failed``).

        ``sha256`` is the file's digest when the caller knows it (the manifest pins it); it is
        computed on first use of :attr:`identity` otherwise.

        ``threads`` is used for prompt evaluation and generation alike. ``extra_buffers`` enables
        llama.cpp's weight repacking (AMX and friends); it is off by default because it crashes on
        the build machines (see :func:`_model_params`).
        """
        super().__init__()
        path = Path(path)
        self.name = path.name
        if not path.is_file():
            raise LanguageModelError("llm-load-failed", f"no GGUF file at {path}")
        try:
            self._llm = open_llama(
                path,
                threads=threads,
                context_tokens=context_tokens,
                seed=seed,
                batch_tokens=batch_tokens,
                extra_buffers=extra_buffers,
            )
        except (ValueError, RuntimeError, OSError) as err:
            raise LanguageModelError("llm-load-failed", f"cannot load {path}: {err}") from err
        self.path = path
        """The GGUF file this model was loaded from."""
        self.backend = f"llama-cpp-python {llama_cpp.__version__}"
        self._sha256 = sha256
        self.threads = threads
        """Threads for prompt evaluation and generation."""
        self._context = context_tokens
        self._end = {self._llm.token_eos()}
        for marker in END_OF_TURN_MARKERS:
            ids = self.tokenize(marker, special=True)
            if len(ids) == 1:
                self._end.add(ids[0])
        self._grammars: OrderedDict[str, llama_cpp.LlamaGrammar] = OrderedDict()
        self._abort_flag = ctypes.create_string_buffer(2)  # "" runs, "\x01" aborts (see _ABORT_CALLBACK)
        llama_capi.llama_set_abort_callback(
            self._llm.ctx, _ABORT_CALLBACK, ctypes.cast(self._abort_flag, ctypes.c_void_p)
        )

    @property
    def context_tokens(self) -> int:
        """The context window (n_ctx)."""
        return self._context

    @property
    def identity(self) -> str:
        """The GGUF file's sha256."""
        if not self._sha256:
            digest = hashlib.sha256()
            with self.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self._sha256 = digest.hexdigest()
        return self._sha256

    @property
    def llama(self) -> llama_cpp.Llama:
        """The underlying ``llama_cpp.Llama`` (for benchmarks that compare against it)."""
        return self._llm

    def tokenize(self, text: str, *, special: bool = False) -> list[int]:
        """Token ids of ``text`` (no BOS; Qwen adds none)."""
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def warm(self, prompt: Sequence[int], cancel: threading.Event | None = None) -> None:
        """Evaluate ``prompt`` into the KV cache; :meth:`abort` (or ``cancel``) ends it early."""
        self._prefill(list(prompt), cancel or threading.Event(), WARM_CHUNK)

    def abort(self) -> None:
        """Abort the batch being evaluated now, within one graph node, and every later one until
        :meth:`resume`. Safe from any thread; the interrupted call ends as if cancelled."""
        self._abort_flag[0] = b"\x01"

    def resume(self) -> None:
        """Let batches run again after :meth:`abort`."""
        self._abort_flag[0] = b"\x00"

    def cache_state(self) -> tuple[list[int], bytes] | None:
        """The cached tokens and the KV state that holds them (llama.cpp's sequence state of seq 0)."""
        tokens = self._cached()
        if not tokens:
            return None
        ctx = self._llm.ctx
        size = int(llama_capi.llama_state_seq_get_size(ctx, 0))
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_capi.llama_state_seq_get_data(ctx, buffer, size, 0))
        if written <= 0 or written > size:
            raise LanguageModelError("llm-state-failed", f"llama.cpp wrote {written} of {size} state bytes")
        return tokens, ctypes.string_at(buffer, written)

    def restore_cache(self, tokens: Sequence[int], state: bytes) -> bool:
        """Put ``state`` (from :meth:`cache_state`) back as the cache of ``tokens``; False, with the
        cache left empty, when llama.cpp does not accept it."""
        self._llm.reset()
        self._llm._ctx.kv_cache_clear()
        buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        read = int(llama_capi.llama_state_seq_set_data(self._llm.ctx, buffer, len(state), 0))
        if read != len(state) or not 0 < len(tokens) <= self._context:
            self._llm._ctx.kv_cache_clear()
            return False
        self._llm.input_ids[: len(tokens)] = list(tokens)
        self._llm.n_tokens = len(tokens)
        return True

    def reset(self) -> None:
        """Drop the cached prompt."""
        self._llm.reset()

    def close(self) -> None:
        """Free the model and its context."""
        self.abort()
        self._llm.close()

    def _cached(self) -> list[int]:
        return [int(t) for t in self._llm.input_ids[: self._llm.n_tokens]]

    def _reusable_prefix(self, prompt: Sequence[int]) -> int:
        common = 0
        for cached, wanted in zip(self._cached(), prompt, strict=False):
            if cached != wanted:
                break
            common += 1
        return common

    def _prefill(self, tokens: list[int], cancel: threading.Event, chunk: int = PREFILL_CHUNK) -> None:
        """Make the cache hold exactly ``tokens``, evaluating the uncached tail in chunks."""
        common = self._reusable_prefix(tokens)
        self._llm.n_tokens = common  # llama-cpp-python drops cache entries past n_tokens on eval
        for start in range(common, len(tokens), chunk):
            if cancel.is_set() or self._aborted:
                return
            try:
                self._llm.eval(tokens[start : start + chunk])
            except RuntimeError:
                # An aborted batch is not committed: n_tokens still counts what the cache holds.
                if self._aborted:
                    return
                raise

    @property
    def _aborted(self) -> bool:
        return self._abort_flag[0] != b"\x00"

    def _grammar(self, text: str) -> llama_cpp.LlamaGrammar:
        grammar = self._grammars.pop(text, None)
        if grammar is None:
            try:
                grammar = llama_cpp.LlamaGrammar.from_string(text)
            except (ValueError, RuntimeError) as err:
                raise LanguageModelError("llm-bad-grammar", f"the tool-call grammar does not compile: {err}") from err
        self._grammars[text] = grammar
        while len(self._grammars) > GRAMMAR_CACHE:
            self._grammars.popitem(last=False)
        return grammar

    def _generate(
        self, prompt: list[int], max_tokens: int, grammar: str | None, cancel: threading.Event
    ) -> Iterator[str]:
        # Everything but the last prompt token goes in through the cancellable prefill; generate()
        # then finds it cached and evaluates one token to get the logits it samples from.
        self._prefill(prompt[:-1], cancel)
        if cancel.is_set():
            return
        compiled = self._grammar(grammar) if grammar else None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        tokens = self._llm.generate(prompt, temp=0.0, repeat_penalty=1.0, grammar=compiled)
        try:
            for count, token in enumerate(tokens, start=1):
                if token in self._end:
                    break
                yield decoder.decode(self._llm.detokenize([token]))
                if count >= max_tokens or cancel.is_set():
                    break
        finally:
            tokens.close()
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail
