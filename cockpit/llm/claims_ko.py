"""Rule 1 of the answer checker for Korean sentences: what a Korean sentence claims to have done.

Korean puts the verb last and often drops the subject: "뒷유리 열선을 켰습니다." is the speaker
reporting a change, "뒷유리 열선은 유리를 데워 성에를 제거합니다." a description. The verb's form
decides, as tense and subject do in English (:mod:`cockpit.llm.claims`):

- **a change done** (``claims-change``): the past of an action verb, native ("켰", "껐", "틀었",
  "바꿨", "맞췄", "올렸", "내렸", "열었", "닫았", ...) or a Sino-Korean noun with 했/되었/됐
  ("설정했", "재생했", "음소거했", "변경되었"), an intransitive change ("켜졌", "바뀌었",
  "올라갔"), "... 드렸/놓았/뒀" ("켜 드렸습니다"), a result made ("2도 더 따뜻하게 했어요", "시원하게
  만들었어요", "크게 해 드렸습니다", "따뜻하게 되었습니다"), an action in progress ("켜고 있습니다",
  "설정하는 중"), a bare outcome ("완료했습니다.", "됐습니다!"), "이제" with a function ("이제
  에어컨이 켜져 있습니다."), and an announcement: the plain present of an action verb with no
  subject of its own ("에어컨을 켭니다.", "재즈를 재생합니다.", "파리로 안내를 시작합니다.");
- **a promise** (``promises-action``): the volitional future ("켤게요", "켜 드릴게요",
  "설정하겠습니다", "그렇게 할게요", "켜 드릴 수 있어요");
- **a state verb** (``states``, rule 2 decides): a resultative "is on / is set" ("켜져 있습니다",
  "22도로 설정되어 있습니다"); its "is off" ("꺼져 있습니다") claims nothing and is left to the facts.

Everything else passes: the same verbs in a condition or a description ("켰을 때", "켜면",
"켤 수 있습니다", "... 버튼은 에어컨을 켭니다"), negated ("안 켰어요", "바꾸지 않았습니다"), with
another actor ("운전자가 켰습니다"), and a question (it ends in "?": "켤까요?").
"""

from __future__ import annotations

import re

from cockpit.llm.sentences import Sentence

_NOUNS = (
    r"(?:설정|변경|조정|조절|전환|작동|가동|활성화|비활성화|해제|시작|중지|정지|일시\s*정지|재생|재개|취소|복원|복구|"
    r"음소거|안내|실행|적용|선택|입력|종료|차단|제거|증가|감소|완료|처리|반영|초기화)"
)
"""Sino-Korean action nouns that take 하다 / 되다 ("설정했습니다", "재생됩니다")."""
_ANNOUNCED_NOUNS = (
    r"(?:설정|변경|조정|조절|전환|활성화|비활성화|해제|시작|중지|재생|재개|취소|복원|음소거|안내|실행|적용)"
)
"""Those whose plain present announces an action ("재생합니다") rather than describes ("제거합니다")."""
_PAST = (
    r"(?:켰|켜었|껐|꺼었|틀었|바꿨|바꾸었|맞췄|맞추었|올렸|내렸|높였|낮췄|낮추었|줄였|늘렸|키웠|열었|닫았|잠갔|잠궜|"
    r"넘겼|건너뛰었|되돌렸|돌렸|멈췄|멈추었|없앴|녹였|데웠|식혔|끝냈)"
)
"""Native action verbs in the past: the speaker did it."""
_CONNECTIVE = (
    r"(?<![가-힣])(?:해|켜|꺼|틀어|바꿔|맞춰|올려|내려|높여|낮춰|줄여|늘려|키워|열어|닫아|넘겨|되돌려|멈춰|만들어)"
)
"""Action verbs in the -어 form that "드리다" (for you), "놓다" / "두다" (done, left so) follow."""
_RESULT = r"(?<![가-힣])[가-힣]*(?:하|[크작밝둡갑겁덥춥세높낮르럽지])게"
"""A result the speaker made ("따뜻하게", "더 크게", "어둡게", "켜지게"), before 하다 / 만들다: "따뜻하게
했어요" is "made it warm", a change. Not "수 있게", "그렇게", "쉽게"."""
_NOT_FINAL = r"(?!\s*(?:던|다면|으면|더라도|는지|을\s*(?:때|경우|지|수|까)))"
"""A past form that is not the sentence's assertion: a condition or an attribute ("켰을 때", "켰다면")."""
_DID = re.compile(
    rf"(?:{_PAST}|{_NOUNS}\s*(?:을|를)?\s*(?:했|하였|시켰)|{_CONNECTIVE}\s*(?:드렸|놓았|놨|뒀|두었)|"
    rf"{_NOUNS}\s*해\s*(?:드렸|놓았|놨|뒀|두었)|{_RESULT}\s*(?:했|하였|만들었)|(?:켜기|끄기|{_NOUNS})\s*완료$|"
    rf"(?<![가-힣])(?:켬|끔)$){_NOT_FINAL}"
)
_BECAME = re.compile(
    rf"(?:켜졌|꺼졌|바뀌었|바꼈|올라갔|내려갔|높아졌|낮아졌|커졌|작아졌|줄었|늘었|열렸|닫혔|잠겼|따뜻해졌|시원해졌|"
    rf"밝아졌|어두워졌|세졌|약해졌|강해졌|차가워졌|뜨거워졌|더워졌|추워졌|조용해졌|시끄러워졌|빨라졌|느려졌|"
    rf"{_NOUNS}\s*(?:됐|되었)|{_RESULT}\s*(?:됐|되었)){_NOT_FINAL}"
)
"""An intransitive or passive change, past: "켜졌습니다", "설정되었습니다", "따뜻하게 되었습니다"."""
_DOING = re.compile(
    rf"(?:켜|끄|틀|바꾸|맞추|올리|내리|높이|낮추|줄이|늘리|키우|열|닫|잠그|넘기|되돌리|멈추|{_ANNOUNCED_NOUNS}\s*하|"
    rf"{_RESULT}\s*(?:하|만들))(?:고\s*있(?!는)|는\s*중)"
)
"""An action in progress: "켜고 있습니다", "설정하는 중입니다", "따뜻하게 하고 있어요"."""
_PROMISE = re.compile(
    rf"(?:켤|끌|틀|바꿀|맞출|올릴|내릴|높일|낮출|줄일|늘릴|키울|열|닫을|잠글|넘길|되돌릴|멈출|{_NOUNS}\s*(?:을|를)?\s*할|"
    rf"{_RESULT}\s*만들|"
    rf"(?<![가-힣])할|{_CONNECTIVE}\s*드릴|{_NOUNS}\s*해\s*드릴)\s*(?:게|께)|"
    rf"(?:켜|끄|틀|바꾸|맞추|올리|내리|높이|낮추|줄이|늘리|키우|열|닫|잠그|넘기|되돌리|멈추|{_NOUNS}\s*(?:을|를)?\s*하|"
    rf"(?<![가-힣])하|{_CONNECTIVE}\s*드리|{_NOUNS}\s*해\s*드리|{_RESULT}\s*만들)겠|{_CONNECTIVE}\s*드릴\s*수\s*있"
)
"""A promise: "켤게요", "켜 드릴게요", "설정하겠습니다", "그렇게 할게요", "켜 드릴 수 있어요", "따뜻하게
만들게요"."""
_ANNOUNCE = re.compile(
    rf"(?:켭니다|켜요|끕니다|꺼요|틉니다|틀어요|바꿉니다|바꿔요|맞춥니다|맞춰요|올립니다|올려요|내립니다|내려요|높입니다|"
    rf"높여요|낮춥니다|낮춰요|줄입니다|줄여요|늘립니다|늘려요|키웁니다|키워요|엽니다|열어요|닫습니다|닫아요|잠급니다|"
    rf"넘깁니다|넘겨요|되돌립니다|되돌려요|멈춥니다|멈춰요|{_ANNOUNCED_NOUNS}\s*(?:을|를)?\s*(?:합니다|해요|시킵니다)|"
    rf"{_RESULT}\s*(?:합니다|해요|만듭니다|만들어요))$"
)
"""The plain present of an action verb ending the sentence: "에어컨을 켭니다.", "실내를 시원하게 합니다."."""
_LEAD = (
    r"(?:(?:네|예|좋아요|좋습니다|알겠습니다|알겠어요|물론(?:이죠|입니다)?|그럼요|당연하죠|오케이|넵|자|음|아|짜잔)"
    r"\s*[,!.~]*\s*)*"
)
_OUTCOME = re.compile(rf"^{_LEAD}(?:다\s*)?(?:완료|됐|되었|처리\s*완료|처리했|끝났|마쳤)[가-힣]*$")
"""A bare outcome: "완료했습니다.", "네, 됐습니다!"."""
_SUBJECT = re.compile(r"(?:^|\s)(?!제가|저는|저희가|저희는|제)[가-힣]+(?:은|는|이|가|께서)(?=\s|$)")
"""A noun marked as the subject or topic: the sentence is about it, not an announcement."""
_OTHER_ACTOR = re.compile(
    r"(?:당신|운전자|운전하시는\s*분|사용자|고객님?|누군가|누가|그는|그녀는|기사님)(?:이|가|께서|은|는)?"
)
_CAR_OBJECT = re.compile(r"그것|그거|이것|이거|그렇게|요청하신|말씀하신|설정|방금|마지막|변경\s*사항|모두\s*다")
"""With no function named, what the speaker may have changed in the car ("그렇게 해 드렸습니다")."""
_SWITCHED = re.compile(r"켰|껐|켜졌|꺼졌|되돌렸")
"""Switching something on or off, or undoing: about a device even with no object ("지금 켰어요.")."""
_NOW = re.compile(r"(?<![가-힣])이제(?![가-힣])")
_STATE_ON = re.compile(
    r"(?:켜져|켜\s|설정되어|설정돼|맞춰져|맞춰\s*져|활성화되어|활성화돼|음소거되어|음소거돼|열려|잠겨)\s*있"
)
"""A resultative "is on / is set" ("켜져 있습니다", "22도로 설정되어 있습니다"): the facts decide."""
_OFF_STATE = re.compile(r"(?:꺼져|닫혀|해제되어|해제돼|비활성화되어|비활성화돼)\s*있|꺼진\s*상태")
NEGATION = re.compile(
    r"지\s*(?:않|못|말)|(?<![가-힣])(?:안|못)\s|않습니다|않아요|않았|없습니다|없어요|없는|없고|없이|없으|없음|"
    r"아닙니다|아니에요|아니라|아니고|아무것도|아무\s*것도"
)
"""A negation: a negated change claims nothing, a negated state is the opposite one."""
GENERIC = re.compile(
    r"(?<![화측전후정표방가])면(?![가-힣])|면서|(?<![가-힣])때|경우|려면|수\s*(?:있|없)|위해|통해|도록|보통|일반적으로|"
    r"자동으로|주로|항상|대개|흔히|라고|이라는|이란|라는|(?<!따)뜻|의미"
)
"""Words of a general description or a condition: a verb with them claims nothing."""


def _negated_before(low: str, start: int) -> bool:
    return re.search(r"(?:^|\s)(?:안|못)\s*$", low[:start]) is not None


def _asserted(pattern: re.Pattern[str], low: str) -> bool:
    return any(not _negated_before(low, m.start()) for m in pattern.finditer(low))


def claim_ko(s: Sentence) -> str:
    """What a Korean sentence claims to have done or promises (see the module docstring)."""
    low = s.body
    car = bool(s.functions) or s.unsupported or _CAR_OBJECT.search(low) is not None or _SWITCHED.search(low) is not None
    mine = car and _OTHER_ACTOR.search(low) is None
    if mine and (_asserted(_DID, low) or _asserted(_BECAME, low) or _asserted(_DOING, low)):
        return "claims-change"
    if mine and _PROMISE.search(low):
        return "promises-action"
    if _OUTCOME.match(low):
        return "claims-change"
    if GENERIC.search(low) or NEGATION.search(low):
        return ""
    announced = _ANNOUNCE.search(low) if mine else None
    if announced and not _SUBJECT.search(low[: announced.start()]):
        return "claims-change"
    if s.functions and _NOW.search(low):
        return "claims-change"
    if car and _STATE_ON.search(low):
        return "states"
    return ""


def unsupported_state_ko(s: Sentence) -> bool:
    """Whether a Korean sentence says something this car cannot control is in some state ("창문이 열려 있습니다")."""
    stated = _STATE_ON.search(s.body) or _OFF_STATE.search(s.body)
    stated = stated or re.search(r"(?:켜진|열린|닫힌|잠긴|작동\s*중|작동하고)", s.body)
    return stated is not None and NEGATION.search(s.body) is None and GENERIC.search(s.body) is None
