"""Pronunciations of command words missing from PocketSphinx's bundled CMU dictionary.

ARPAbet without stress marks, as the bundled ``cmudict-en-us.dict`` writes them, composed
from the dictionary's own entries for the parts (re + circulation, de + froster, un + mute, ...).
Only words the skills' templates use; anything else is pruned from the grammar.
"""

from __future__ import annotations

EXTRA_EN: dict[str, str] = {
    "recirculation": "R IY S ER K Y AH L EY SH AH N",
    "recirculate": "R IY S ER K Y AH L EY T",
    "recirculated": "R IY S ER K Y AH L EY T IH D",
    "recirculating": "R IY S ER K Y AH L EY T IH NG",
    "recirc": "R IY S ER K",
    "defroster": "D IH F R AO S T ER",
    "defrosters": "D IH F R AO S T ER Z",
    "froster": "F R AO S T ER",
    "defog": "D IY F AA G",
    "defogger": "D IY F AA G ER",
    "defogging": "D IY F AA G IH NG",
    "unfog": "AH N F AA G",
    "fogged": "F AA G D",
    "fogging": "F AA G IH NG",
    "demist": "D IY M IH S T",
    "demister": "D IY M IH S T ER",
    "demisting": "D IY M IH S T IH NG",
    "misted": "M IH S T IH D",
    "deice": "D IY AY S",
    "deicer": "D IY AY S ER",
    "icer": "AY S ER",
    "unmute": "AH N M Y UW T",
    "aircon": "EH R K AA N",
    "audiobook": "AA D IY OW B UH K",
    "audiobooks": "AA D IY OW B UH K S",
    "podcasts": "P AO D K AE S T S",
    "carwash": "K AA R W AA SH",
    "supercharger": "S UW P ER CH AA R JH ER",
    "superchargers": "S UW P ER CH AA R JH ER Z",
    "liftgate": "L IH F T G EY T",
    "headlamps": "HH EH D L AE M P S",
    "sunshade": "S AH N SH EY D",
    "moonroof": "M UW N R UW F",
    "unlatch": "AH N L AE CH",
    "soundcloud": "S AW N D K L AW D",
    "lofi": "L OW F AY",
    "kpop": "K EY P AA P",
    "dont": "D OW N T",
    "thats": "DH AE T S",
    "everybodys": "EH V R IY B AA D IY Z",
    "everyones": "EH V R IY W AH N Z",
    "smidge": "S M IH JH",
}
"""Extra English words and their pronunciations."""
