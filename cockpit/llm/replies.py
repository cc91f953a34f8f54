"""The responder's fixed replies: said instead of an answer when the model cannot or must not give one.

Each is chosen by the session's language from :data:`FIXED`; the English constants are kept by
name for the tests and callers that compare with them.
"""

from __future__ import annotations

from cockpit.phrasebook import Phrasebook

APOLOGY = "Sorry, I can't answer questions right now, but I can still control the climate, navigation and media."
"""Said when the model is unavailable or failed."""
NO_ANSWER = "Sorry, I don't know that."
"""Said when the model produced nothing speakable."""
REFUSAL = "Sorry, I can't do that. My rules stay as they are."
"""Said, without asking the model, to an explicit attempt to rewrite the rules."""
BUSY = "I'm still answering another question. Ask me again in a moment."
"""Said at once to a question beyond the queue limit (``llm.max_queue``)."""
TOO_SLOW = "Sorry, that took too long to answer. Please ask me again."
"""Said when an answer passes the turn deadline (``llm.turn_deadline_s``)."""
STARTING = "I'm still getting ready to answer questions. Ask me again in a moment."
"""Said when the turn deadline passes while the model is still loading."""
FIXED = Phrasebook(
    {
        "en": {
            "apology": APOLOGY,
            "no_answer": NO_ANSWER,
            "refusal": REFUSAL,
            "busy": BUSY,
            "too_slow": TOO_SLOW,
            "starting": STARTING,
        },
        "ko": {
            "apology": "죄송합니다. 지금은 질문에 답할 수 없지만, 공조, 내비게이션, 미디어는 계속 조작할 수 있습니다.",
            "no_answer": "죄송합니다. 그건 잘 모르겠습니다.",
            "refusal": "죄송합니다. 그건 할 수 없습니다. 제 규칙은 바뀌지 않습니다.",
            "busy": "아직 다른 질문에 답하고 있습니다. 잠시 후에 다시 물어봐 주세요.",
            "too_slow": "죄송합니다. 답하는 데 너무 오래 걸렸습니다. 다시 물어봐 주세요.",
            "starting": "아직 질문에 답할 준비를 하고 있습니다. 잠시 후에 다시 물어봐 주세요.",
        },
    }
)
"""The fixed replies above, by the session's language."""
