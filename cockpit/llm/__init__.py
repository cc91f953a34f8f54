"""The embedded language model: open dialogue and gated tool calls.

- :mod:`cockpit.llm.api`: the :class:`~cockpit.llm.api.LanguageModel` seam;
- :mod:`cockpit.llm.llama`: the llama-cpp-python backend (the only module importing ``llama_cpp``);
- :mod:`cockpit.llm.tools`: tool schemas from the intent catalogue, grammars, tool-call parsing;
- :mod:`cockpit.llm.gate`: which tool calls an utterance may lead to;
- :mod:`cockpit.llm.prompt`: ChatML prompts with a fixed, cached prefix; the vehicle summary;
- :mod:`cockpit.llm.speech`: keeping answers short and speakable;
- :mod:`cockpit.llm.responder`: :class:`~cockpit.llm.responder.LlmResponder`, the dialogue responder,
  built from :mod:`~cockpit.llm.loading` (the model and its saved prefix state),
  :mod:`~cockpit.llm.model_thread` (the one thread the model runs on), :mod:`~cockpit.llm.limits`
  (queue limit and turn deadline), :mod:`~cockpit.llm.turn` (one turn: refusal, tool call, checked
  answer) and :mod:`~cockpit.llm.replies` (its fixed replies);
- :mod:`cockpit.llm.claims`, :mod:`~cockpit.llm.facts` (and their Korean ``_ko`` twins): what an
  answer may say about the car;
- :mod:`cockpit.llm.background`: keep the model generating, to measure the audio path under load.
"""
