"""Wake word: the :class:`WakeWordDetector` seam and openWakeWord's ONNX models on ONNX Runtime.

:mod:`cockpit.wake.oww` (which pulls in ONNX Runtime) is imported only by what builds a detector.
"""

from cockpit.wake.base import WakeDetection, WakeWordDetector

__all__ = ["WakeDetection", "WakeWordDetector"]
