"""Natural-language understanding: sentence templates -> catalogue intents.

Templates are data (YAML beside each skill, plus ``unsupported.yaml`` and ``common.yaml`` here),
parsed into frozen dataclasses (:mod:`cockpit.nlu.model`) and matched by a pure function
(:mod:`cockpit.nlu.matcher`). The pipeline talks to an :class:`IntentRecognizer`::

    recognizer = TemplateIntentRecognizer.from_paths()      # the shipped templates
    recognizer.recognize("set the driver temperature to twenty one degrees")
    # IntentMatch(intent="climate.set_temperature", slots={"celsius": 21, "zone": "driver"}, ...)
"""

from cockpit.nlu.loader import default_template_paths, load_templates
from cockpit.nlu.recognizer import IntentRecognizer, Recognition, TemplateIntentRecognizer, Unsupported

__all__ = [
    "IntentRecognizer",
    "Recognition",
    "TemplateIntentRecognizer",
    "Unsupported",
    "default_template_paths",
    "load_templates",
]
