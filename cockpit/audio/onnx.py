"""ONNX Runtime sessions for the audio models: the one module that imports onnxruntime.

Every session runs on one intra-op thread with thread spinning off, so the wake word and the
VAD take a steady, small share of one core instead of busy-waiting on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from cockpit.errors import CockpitError, WakeWordError


class OnnxModel:
    """One ONNX model on the CPU, single-threaded, spinning off.

    A file that will not load raises ``error`` (the caller's stage error) with code
    ``onnx-load-failed``.
    """

    def __init__(self, path: str | Path, error: type[CockpitError] = WakeWordError) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types for bad files
            raise error("onnx-load-failed", f"cannot load ONNX model {path}: {err}") from err
        self.path = Path(path)
        """Where the model came from."""
        self.input_names: tuple[str, ...] = tuple(i.name for i in self._session.get_inputs())
        """Input names, in the model's order."""
        self.input_shapes: tuple[Sequence[int | str | None], ...] = tuple(
            tuple(i.shape) for i in self._session.get_inputs()
        )
        """Input shapes as the model declares them (symbolic dimensions are strings)."""

    def run(self, inputs: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Run the model; returns every output, in order."""
        return list(self._session.run(None, dict(inputs)))

    def run1(self, x: np.ndarray) -> np.ndarray:
        """Run a single-input model and return its first output."""
        return np.asarray(self._session.run(None, {self.input_names[0]: x})[0])
