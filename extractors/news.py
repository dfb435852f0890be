"""Victims from news text and reports, in English and Arabic.

The stages, each a function of text and the patterns it needs taken by id from the cue table
(:mod:`.cues`, each cue with examples checked by a test):

1. Clean-up (:mod:`.clean`): the comment thread and page furniture dropped; in Arabic, letters
   stretched or dotted to dodge moderation, quotes, hashtags and glued words undone.
2. Mentions: person names found by their cues — "named as X", "identified as X", "X, a
   35-year-old woman", lists after "killed", photo captions, and in Arabic the word before the
   name ("استشهد الطفل X", "مقتل الشاب X") or a given name at its start.
3. The verdict (:func:`_is_victim_en`, :func:`_is_victim_ar`): a name is kept only if the
   nearest cue that governs it says death (killed, shot dead, died, استشهد) rather than
   injury, witnessing, speaking, arrest or recruitment.
4. Fields, one function each (``_fill_age``, ``_fill_sex``, ``_fill_date``, ``_fill_place``,
   ``_fill_origin``, ``_fill_classes``): from the words around the name first, then from the
   sentence, then from the item, with the phrase that decided each field kept as evidence.
5. Merge: mentions of one person (captions repeat names, sometimes spelled differently).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, partial
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from tawthiq.lang.arabic import is_given_name, sex_of_given_name, transliterate_name
from tawthiq.lang.dates import parse_date
from tawthiq.lang.numbers import NUMBER_AR, parse_number, to_ascii_digits
from tawthiq.lang.places import find_governorate, resolve_place
from tawthiq.lang.text import detect_language, strip_bidi_controls

from .clean import AR_QUOTES, clean_arabic_paragraph, drop_comment_thread, drop_furniture, drop_post_headers, quoted_spans
from .cues import cue, words
from .cues import pattern as cue_pattern
from .names import clean_name
from .record import CHILD_AGE, Place, VictimRecord
from .vocab import (
    classify_category_with_evidence,
    classify_cause_with_evidence,
    classify_perpetrator_with_evidence,
)

EXTRACTOR_NAME = "news"
#: Stored with every candidate and incident report, so a documenter or an operator can tell
#: which reading a staged record came from. 1.1.0: incident counts (summaries, joined people,
#: named victims as "at least N", civilians among a total) and more wordings of death. 1.2.0:
#: a victim described as a fighter is marked (``extra["described_as"]``), a place in
#: apposition is no victim, «بالقصف» and «عندما» end an Arabic name. 1.3.0: incident counts
#: read clause by clause (roundups, summaries, totals set aside), a wider reading of what
#: reports a death, more sentence shapes of the dead in both languages. 1.3.1: the names of
#: the dead are not read as places (al-Jasem is not Jasim). 1.3.2: a verb describing the person
#: («يعمل», «تدرس») ends an Arabic name. 1.3.3: a death noun whose article is glued to the word
#: before it («رجالاتهاالشهداء») reports a death. 1.3.4: the account at the head of a scraped
#: Facebook or X post is not a victim (its date is kept); «آخر مجهول الهوية» names nobody. 1.3.5:
#: more headings of related-links boxes («أقرأ التالي», «التالي», "Next article"). 1.3.6: a name
#: whose own outcome is a wound («ما أدى لإصابته ومقتل اثنين») is not a victim. 1.3.7: a child
#: killed with a parent («مع طفله مجد»). 1.4.0: an item is read in its other script too when
#: that holds a death (an Arabic post inside English page furniture). 1.4.1: hurt words read at a
#: word's start («نجا» is not inside «سنجار»); a list that names as many people as it counts
#: («مقتل شخصين ... هما A وB») is read whatever the given names. 1.4.2: names one after another
#: with no «و» (a four-part name then the next; a name alone on the line under the first).
#: 1.4.3: "A, who <a clause of up to 160 letters, one lower-case aside>, was killed by ..."
#: 1.4.4: the clause may close with a dash ("A, who ... – known as ... – died"); names beside
#: "the victims," and under a caption "Victims A and B". 1.4.5: the one person an Arabic sentence
#: names as hurt dies in the next, the verb's subject unsaid («... إصابته. ... وتوفي بعد لحظات»).
#: 1.4.6: «ما أدى إلى إصابته ووفاته» is a death; commanders, fighters, notables and women
#: journalists titled (القيادي، العنصر، الوجيه، الصحفية ...). 1.4.7: which of two named died by
#: order («مقتل الأول وإصابة الثاني»); a name after «المعروف بـ» is an alias, not a second victim.
#: 1.4.8: a death told of a given name alone («مقتل الشاب "قاسم"») is that of the one person the
#: item named in full with it before. 1.4.9: an English alias ("A (also called B)", "A, also
#: known as B,") is not a second victim. 1.4.10: a list of the dead may run on semicolons, with
#: roles closed by them and before names ("killed A, a commander; B, a leader; and YAT fighter C");
#: the names listed after the first share its verdict. 1.4.11: "One of the (SDF) fighters was a
#: commander, A" after a death was told. 1.4.12: incidents: "المدني الذي استشهد" / "the man who
#: was killed" counts one; a toll raised in the present tense ("وبذلك يرتفع عدد الشهداء إلى 10")
#: is the incident's own; a toll rising "ضمن مناطق ..." is a region's; a village's unknown name
#: stops before a preposition or time word ("قرية عطالة من جراء"). 1.4.13: the people an attack
#: is told on ("The attackers fired [at] A and B") right after a death was told, when their own
#: sentence tells no hurt or arrest; the dead and the hurt as nouns are never in a name. 1.4.14:
#: a headline's "Civilian killed in X" counts one; a village the gazetteer lacks, placed by a
#: known town after it ("قرية الدابس بريف جرابلس"), is the place, the town its governorate.
#: 1.4.15: "استشهاد أحد المدنيين" counts one; words of places and bodies (محيط، شركة، مشفى ...)
#: never stand in a name; Sayyidah Zaynab and Kafr Sousa are in the gazetteer. 1.4.16: a kunya
#: in quotes right after a name ("A “أبو عمر”") is the same person. 1.4.17: English shapes of
#: other outlets: "He was killed" right after the sentence a person is the subject of; the
#: family name later anywhere, the given name later at a sentence's head; quotation marks in the
#: verb; "the funeral(s) of", "the deaths of", "fell victim to", "was the victim of a killing",
#: "Among the four fighters killed was"; ranks before a name; Kurdish and Turkish letters; a list
#: of the wounded and a martyr; a list of the dead marks names an earlier stage found. 1.4.18:
#: kin listed between dashes ("his brothers – Abdel Ghani, ..., and Ahmed Kaake – were killed");
#: a memorial with a heading for each of the dead. 1.4.19: "و" and a word that is no given name
#: does not begin a name; incidents: "امرأة استشهدت" counts one. 1.4.20: Arabic: the one an
#: attack is told on right after a death was told («استهدفوا القيادي السابق ... X في حين أصيب
#: Y»); a dual or plural verb of dying after the names it is said of («A، و B، وهما مدنيان ...،
#: قتلا أمس»). 1.4.21: English: an apposition that runs to the next name of the list; "the
#: deaths of (Red Crescent) volunteers A and B"; as many names as the sentence before counted
#: dead; incidents count journalists, volunteers, activists, doctors, students ... too. 1.4.22:
#: "was arrested, tortured and killed"; "those killed include A"; "A, 13 and B, 11 - killed";
#: "two men — A and B — who were ... were shot dead"; "named those killed as reporter A,
#: cameraman B"; a business named after a person ("Joseph Bakery") is no victim. 1.4.23: Arabic:
#: names joined by و are followed to the end of the run («A و B و C»), a quote glued to a lone و
#: opens a name; a titled name whose death the next sentence tells by the same title noun; a
#: name right after a place word or an armed group's word is theirs; «بدم بارد», «مدير» end names.
#: 1.4.24: English: "killed a senior YPG official, A"; "killed former opposition leader A"; "A and
#: four members of his entourage were killed"; an office before a name ("Syrian Defense Minister
#: A"); a role in a list's glue ("and senior military official C"); a name begins a word. 1.4.25:
#: Arabic: «أودى الانفجار بحياة», «لحياتهم» after the names, «أطلقوا النار بشكل مباشر على» a
#: quoted name; «هما» counts two and a list ends at its first piece that names nobody; an attempt
#: on a life («حاول ... قتل X») is no death; «وإصابة شخص آخر يدعى X» is X's hurt; «حزب», «عبر».
#: 1.4.26: English: a run of three names or more in a sentence that tells a death and no hurt,
#: arrest or speaker is of the dead; names with a verb of their own after a killed-object
#: ("killed two people, A and B were taken to hospital wounded") are not its objects. 1.4.27:
#: an aside in dashes before the verb; bulleted names after a line that says a list follows;
#: "executions of ..., including A"; "executions" and "killings" tell deaths. 1.4.28: Arabic lists:
#: «والشهداء هم: العقيد A من حمص. الملازم أول B ...» (items closed by full stops, ranks), «أسماء
#: الشهداء: A، B»، «عرف منهم الأطفال: (A، وB)»، list lines with details after a dash; «منفذ»
#: (a perpetrator), «مجزرة», «الملقب» end or reject a name. 1.4.29: a name's own verb after what
#: describes it is a hurt («وB، طفل ...، أصيب بجروح»); «من بلدة الشيخ سعد» is a village;
#: «بطريقة», «بشكل», «يوجه» end a name, «هيئة» is in none. 1.4.30: a name's own-hurt span ends at
#: a new clause («، كما أصيب خمسة»); English "A and B are the two civilians who lost their life",
#: "A who was tortured ... has been found killed". 1.4.31: "being gunned down"; a role word ends an
#: Arabic name («منسق»); "has/had died" after a name; "Khan", "Tal" ... end family names; "Red
#: Crescent", community names and "Guards" are in none. 1.4.32: ", lost his life," after a name is
#: its verb, not an apposition.
EXTRACTOR_VERSION = "1.4.32"
#: Texts longer than this are refused with a clear error rather than read for minutes.
MAX_TEXT_CHARS = int(os.environ.get("TAWTHIQ_MAX_TEXT_CHARS", "5000000"))

# --- English -------------------------------------------------------------------------------

# A name may carry the ‘ayn as ‘ or ' ("al-‘Amyan", "Sa'ad").
#: Kurdish and Turkish spellings use İ, Ç, Ş, ê, î, û ("Aram Muhammad İbrahim", "Asîman Elî").
_NAME_TOKEN = r"(?:(?:al|el|Al|El|ad|as|ash|az|an|at|ar)-)?[‘']?[A-ZİÇŞĞÖÜÊÎÛÂ][a-zA-Z'’‘`\-çşğıöüêîûâéèë]+"
_PARTICLE = r"(?:bin|ibn|bint|Bin|Ibn|Abu|Abo|abu|abi|Abi|Umm|al|el|Al|de|Abdul|Abd|bani|Bani)"
#: A name begins a word: "official Hassan" holds no name "al Hassan".
NAME = rf"(?<![\w'’-])(?:{_NAME_TOKEN}|{_PARTICLE})(?:\s+(?:{_NAME_TOKEN}|{_PARTICLE})){{1,5}}"
_NAME_RE = re.compile(NAME)
#: What may stand right before an English name: an honorific, or an age ("27-year-old Ahmad ...").
_TITLE_EN = (r"(?:(?:Dr|Mr|Mrs|Ms|Miss)\.?\s+|Doctor\s+|\d{1,3}[- ]year[- ]old\s+|"
             r"(?:Commander|Colonel|Col\.|General|Gen\.|Brigadier|Captain|Capt\.|Major|Lieutenant|Lt\.|Sergeant|Sheikh|Shaikh|Imam)\s+(?=[A-Z]))")
#: A role may stand between the cue and the name ("named those killed as reporter A, cameraman B").
_CUE_ROLE_EN = r"(?:(?:reporter|cameraman|technician|correspondent|photographer|photojournalist|journalist|activist|volunteer|nurse|doctor|paramedic)\s+)"
_CUE_NAMED = re.compile(cue_pattern("en.named_as") + rf"(?:{_TITLE_EN}|{_CUE_ROLE_EN})?({NAME})")
#: "Russian warplanes killed A and B", "claimed the lives of A, B and C": the dead as object.
_KILLED_OBJECT = cue("en.killed_object")
_NAME_OF_THE_DEAD = cue("en.name_of_the_dead")
_ONE_OF_THE_DEAD = cue("en.one_of_the_dead")
#: "killed five civilians, including A and B".
_INCLUDING = cue("en.including")
#: "The victims were A and B".
_VICTIMS_WERE = cue("en.victims_were")
#: ", killing him", ", shooting her to death": the death of the one person named before it.
_KILLING_HIM = re.compile(r",\s+(?:killing\s+(?:him|her)|(?:shooting|stabbing|beating)\s+(?:him|her)\s+to\s+death)\b")
#: "found the bodies of A and B": named and dead.
_BODIES_OF_NAMED = cue("en.bodies_of_named")
#: "A was shot dead", "A, 34, died", "A and B lost their lives": read right after a name.
_DIED_AFTER_NAME = cue("en.died_after_name")
#: "Body of man A found": a headline that is itself the death.
_BODY_OF = re.compile(rf"(?:{cue_pattern('en.body_of')}|\b[Tt]he bod(?:y|ies) of\s+(?:the late\s+)?(?=[A-Z]))({NAME})"
                      r"(?=[^.;]{0,40}?\b(?:was|were|has been|had been)\s+(?:\w+\s+)?(?:found|discovered|recovered|handed|returned|retrieved|pulled)\b|[^.;]{0,3}$|\s+(?:found|discovered|recovered)\b)")
#: A son or daughter named by given name only after their father ("and his daughter Hiba").
#: "and his daughter Hiba", "along with his older brother, Abdullah", "her sister Rima": a son,
#: daughter, brother or sister of his, or a brother or sister of hers, shares the family name
#: (her children carry their father's, which the text does not give).
_EN_OWN_CHILD = re.compile(r"\b(?:and|with|along with)\s+(?:(?:his|their)\s+(?:(?:older|younger|elder|little|baby)\s+)?(?:\w+[- ]year[- ]old\s+)?(?:son|daughter|child|baby|brother|sister)|"
                           r"her\s+(?:(?:older|younger|elder|little|baby)\s+)?(?:\w+[- ]year[- ]old\s+)?(?:brother|sister))\s*,?\s+([A-Z][a-z'’]+)\b(?!\s+(?:[A-Z]|al-|el-|bin\b|ibn\b))")
#: Between two names of one list: ", ", " and ", ", and ", "&".
_LIST_GLUE = re.compile(r"\s*(?:,\s*and|,|and|&)\s+(?!(?:injur|wound|hurt|arrest|abduct)\w*)")
#: Held or hurt and then dead, the death joined to the same subject ("was arrested ... and
#: tortured to death", "was wounded ... and died"), not a new clause ("were wounded, the two
#: children died").
_HELD_THEN_DIED_SAME = re.compile(r"[^.;]{0,60}?\b(?:arrest\w*|detain\w*|abduct\w*|kidnap\w*|injur\w*|wounded)\b[^.;]{0,220}?"
                                  r"\b(?:and|then|later|before)\s+(?:was\s+|were\s+|had\s+)?(?:\w+\s+){0,3}?(?:tortured to death|died|dying|killed|executed|succumbed|shot dead)\b", re.I)
#: The verb a name is the subject of: "were wounded", "has been arrested".
_PREDICATE = re.compile(r"^[^.;]*?\b(?:was|were|has been|have been|had been)\s+(?:\w+ly\s+)?([a-z]+)\b")
#: An apposition after a name: ", secretary of the council in X," (lower case: a role, not a name).
_APPOSITIVE = re.compile(r",\s+(?!(?:killing|killed|who|which|while|when|as|and|but|whose|after|before|was|were|is|are|has|have|had|died|according|"
                         r"lost|succumbed|passed|fell|perished)\b)(?:an?\s+|the\s+)?"
                         # "a farmer", "head of ...", "a French photographer", "an American who ...".
                         r"(?:[a-z]|[A-Z][a-z]+\s+(?:of|at|in)\b|[A-Z][a-z]+(?:an|ish|ese|ch|i)\s+[a-z])"
                         # A role is a noun phrase: no verb in it ("lost his life while ..." is a predicate).
                         r"(?:(?!\b(?:was|were|is|are|has|have|had|lost|died|killed|wounded|injured|said|told|while)\b)[^,;.]){1,100},")
#: An apposition that runs to the next name of the list ("A, an American who worked for the
#: Sunday Times and B, a French photographer, were killed"): it ends before " and B".
_APPOSITIVE_BEFORE_AND = re.compile(_APPOSITIVE.pattern[:_APPOSITIVE.pattern.rindex("(?:(?!")] +
                                    r"(?:(?!\b(?:was|were|is|are|has|have|had|lost|died|killed|wounded|injured|said|told|while)\b)"
                                    r"(?!\s+and\s+[A-Z])[^,;.]){1,100}(?=\s+and\s+[A-Z])")
#: A role closed by a semicolon, in a list whose items are separated by them.
_APPOSITIVE_TO_SEMICOLON = re.compile(_APPOSITIVE.pattern[:-1] + ";")
_SEMICOLON_GLUE = re.compile(r"\s*;\s*(?:and\s+)?(?!(?:injur|wound|hurt|arrest|abduct)\w*)")
_LIST_AGE = re.compile(r"\s*\((\d{1,3})\)|,\s*(\d{1,3})(?=\s*(?:,|and\b|\.|;|$|[-–—]\s))")
#: "X, from Aleppo governorate, died in ...", "Mrs. X, a teacher from Ariha, was killed".
_FROM_DIED = re.compile(rf"(?:^|[\s,;:])(?:{_TITLE_EN})?({NAME}),\s+(?:(?:an?|the)\s+[^,;]{{2,60}}?\s+)?from\s+[^,;]{{2,90}},\s+(?:\w+\s+){{0,2}}"
                        r"(?:died|was killed|was shot|were killed|lost|succumbed|passed away)\b")
#: "killing the co-chair of the council, Rima Haddad, and her deputy, Salwa Khalil": a role, then the name.
_ROLE_NAME = re.compile(rf"\b(?:[Tt]he|his|her|their|[Aa]n?)\s+(?:[a-z][\w'’\-]*\s+){{0,6}}?[a-z][\w'’\-]*,\s+{_TITLE_EN}?({NAME})(?=,|\s+and\b|\s*[.;]|$)")
#: A sentence that opens on the victim: "X, 51, from Ariha, died ...", "X, a nurse at ..., was killed".
_SUBJECT = re.compile(rf"^(?:(?:The day before|The next day|Meanwhile|Earlier|Later|Also|In addition|On [A-Z][a-z]+(?: \d{{1,2}})?),\s+)?(?:Dr\.?\s+)?({NAME}),\s+(?:(\d{{1,3}}),|(?:an?|the)\s+[^,]{{2,90}},)")
_APPOSITION = re.compile(
    rf"(?:^|[,;:]\s+|\b(?:and|that|killing|killed|including|among them|were|was)\s+)(?:Dr\.?\s+)?({NAME}),\s+(?:(?:an?|the)\s+)?(?:(\d{{1,3}})[- ]year[- ]old|(?:an?|the)\s+(?:young|elderly|old)\s)"
)
#: "her two-year-old daughter Lana Haddad", "his son Omar": relatives named after the relation.
_RELATIVE = re.compile(cue_pattern("en.relative") + rf"(?:Dr\.?\s+)?({NAME})")
_NAME_AGE = re.compile(rf"({NAME}),\s+(\d{{1,3}})\b(?!\s*(?:km|kilomet|meters|metres|%))")
_LIST_KILLED = re.compile(
    rf"(?:that\s+|:\s+|^)((?:(?:Dr\.?\s+)?{NAME}(?:,\s+(?:a|an)\s+[^,]+?)?(?:,\s+\d{{1,3}})?(?:,?\s+and\s+|,\s+)){{0,12}}(?:Dr\.?\s+)?{NAME})(?:,\s+[^,]+?)?(?:,\s+\d{{1,3}})?,?\s+(?:were|was|have been|had been)\s+(?:killed|shot|executed|found dead)"
)
#: "On the same day Hassan Youssef al-Khatib, 52, was killed ...": a name and age, then the death.
_NAME_AGE_DIED = re.compile(rf"(?:{_TITLE_EN})?({NAME}),\s+(\d{{1,3}}),\s+(?:was|were|had been)\s+(?:killed|shot|executed|found dead)|"
                            rf"(?:{_TITLE_EN})?({NAME}),\s+(\d{{1,3}}),\s+died\b")
_CAPTION = re.compile(rf"^(?:The\s+(?:victim|child|martyr)\s+)?(?:Dr\.?\s+)?({NAME})\s*[–—\-|:]\s+")
_DEATH_EN = cue("en.death")
_NOT_DEATH_EN = cue("en.not_death")
#: Arrested, abducted or wounded, and then dead, in one sentence about the same person.
_HELD_THEN_DIED = cue("en.held_then_died")
_WOUND_DIED = cue("en.wound_died")
_SEX_WORDS_EN = (
    (re.compile(r"\b(woman|girl|daughter|mother|wife|sister|grandmother|niece|she|her|female|lady|aunt)\b", re.I), "female"),
    (re.compile(r"\b(man|boy|son|father|husband|brother|grandfather|nephew|he|his|him|male|uncle|young man)\b", re.I), "male"),
)
_CHILD_WORDS_EN = re.compile(r"\b(child|children|boy|girl|baby|infant|toddler|son|daughter|teenager|minor|kid)\b", re.I)
_ADULT_WORDS_EN = re.compile(r"\b(man|woman|men|women|elderly|husband|wife|mother|father)\b", re.I)
_AGE_EN = re.compile(r"\b(\d{1,3})[- ]year[- ]old\b|\baged\s+(\d{1,3})\b|\bage\s+(\d{1,3})\b|\((\d{1,3})\)", re.I)
_WORD_AGES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
              "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17}
_AGE_WORDS_EN = re.compile(r"\b(" + "|".join(_WORD_AGES) + r")[- ]year[- ]old\b", re.I)
_NOT_NAMES = re.compile(
    r"^(?:Syrian|Syria|Russian|Regime|Democratic|Forces|Army|Islamic|State|Local|Sources|The|On|In|At|A|An|Idlib|Aleppo|Daraa|Hama|Homs|"
    r"Damascus|Raqqa|Latakia|Tartus|Hasaka|Quneitra|Suwayda|Deir|Rural|International|Coalition|Turkish|Israeli|Jordanian|Lebanese|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|"
    r"SNHR|Network|Human|Rights|Civil|Defense|Defence|White|Helmets|Hospital|Ministry|United|Nations|Hay'at|Tahrir|Free|National|"
    r"Demo|News|Agency|Reuters|Observatory|Committee|Council|Office|Department|Police|Security|Brigade|Division|Regiment|Battalion|"
    r"Sheikh\s+Maqsoud|Tal|Ras|Ain|Abu\s+Kamal|Kafr|Jisr|Khan|Maarrat|Albu|Our|Standards|Principles|Read|More|Related|Share|Follow|"
    r"Subscribe|Sign|Click|Photo|Image|Video|Copyright|Advertisement|Crown|Prince|King|President|Minister|Saudi|Iranian|Iraqi|Kurdish|"
    r"Arab|American|British|French|Russia|Turkey|Iran|Iraq|Lebanon|Jordan|Israel|"
    # Sentence openers that are no given name ("But Dyab chose to remain").
    r"But|And|However|Also|Then|When|While|After|Before|Meanwhile|Later|Earlier|Both|Yet|Although|Since|"
    r"Middle|Gaza|Europe|Gulf|Operation|Inherent|Red|Crescent|Cross|Assyrian|Syriac|Armenian|Yazidi|Druze|Alawite|Guards|Units|"
    # Places and businesses named after a person ("the second blast targeted Joseph Bakery").
    r"Bakery|Cafe|Café|Mosque|Church|School|Market|Street|Road|Square|Park|Hall|Hotel|Bridge|Roundabout|Company|Factory|"
    r"Restaurant|Shop|Center|Centre|University|College|Stadium|Clinic)\b"
)

# --- Arabic --------------------------------------------------------------------------------

_AR_WORD = r"[\u0621-\u063A\u0641-\u064A]+"
_AR_NAME = rf"{_AR_WORD}(?:\s+(?:{_AR_WORD})){{1,4}}"
_AR_TITLES = cue_pattern("ar.title")
_AR_DEATH = cue("ar.death")
#: What happened to the person named: hurt, held or spared (unlike a reporting verb, which only
#: matters right before the name: "قال X" makes X a speaker, "وقال مصادر ... إن" does not).
_AR_HURT = cue("ar.hurt")
#: Hurt, held or spared, or a reporting verb: anything but a death.
_AR_NOT_DEATH = cue("ar.not_death")
_AR_OTHERS = re.compile(r"\S*\s+(?:\S+\s+)?(?:آخر|آخرين|آخرون|اخر|اخرين|اخرون|أخرى|اخرى)(?![\u0621-\u064A])")
#: A verb right after a name makes the person its subject, someone who speaks, condemns, mourns
#: or visits ("محمد العلي يدين مقتل ...", "يتفقد نبيل الصالح منزل جاره"), not the dead.
_AR_SUBJECT_OF = cue("ar.subject_of")
#: Injured, then dead: "أصيب في ضربة استهدفت مزرعته، وقتل بعد إسعافه إلى المستشفى".
_AR_HURT_THEN_DIED = cue("ar.hurt_then_died")
_AR_SPEAKER = cue("ar.speaker_before")
_AR_TITLED = re.compile(rf"(?<![\u0621-\u064A])[وب]?(?:{_AR_TITLES}|لل(?:شاب|شابة|طفل|طفلة|مواطن|مواطنة|مدني|مدنية|سيدة|رجل|فتى|فتاة))\s+({_AR_NAME})")
#: A death told in the next sentence with a pronoun for the person just named ("... للشاب X. وقاموا بقتله").
_AR_PRONOUN_DEATH = cue("ar.pronoun_death")
#: The one person a sentence names as hurt dies in the next ("... ما أدى إلى إصابته. ... وتوفي
#: بعد لحظات من نقله").
_AR_DIED_LATER = cue("ar.died_later")
#: "A المعروف بـ"B"": B is A's other name.
_AR_ALIAS_BEFORE = cue("ar.alias_before")
_EN_ALIAS_BEFORE = cue("en.alias_before")
#: "أطلقوا النار على الشابين A وB، ما أدى إلى مقتل الأول وإصابة الثاني": which of two died.
_AR_ORDINAL_DEATH = cue("ar.ordinal_death")
#: A child named by first name only after a named parent ("سامي خليل الرحال وابنه عمر"): the
#: child carries the parent's family name.
_AR_AND_CHILD = cue("ar.and_child")
#: Titles without the article ("قُتل مدني رائد الحمصي"), only right after a verb of dying.
_AR_BARE_TITLES = cue_pattern("ar.bare_title")
_AR_AFTER_DEATH = re.compile(rf"(?:{_AR_DEATH.pattern})\s+(?:كل\s+من\s+)?(?:(?:{_AR_TITLES}|{_AR_BARE_TITLES})\s+)?\s*({_AR_NAME})")
_AR_CALLED = re.compile(rf"(?:يدعى|يُدعى|تدعى|تُدعى|يدعي|تدعي|المدعو|المدعوة|اسمه|اسمها|واسمه|واسمها)\s*[،,:]?\s+({_AR_NAME})")
_AR_LIST_INTRO = cue("ar.list_intro")
_AR_STOP = {"منسق", "منسقة", "موظف", "موظفة", "بطريقة", "بشكل", "يوجه", "توجه", "الملقبة", "الملقّب", "المكنى", "المعروف", "المعروفة", "بدم", "عبر", "إثر", "اثر", "جراء", "بعد", "في", "على", "من", "يوم", "برصاص", "بقصف", "بانفجار", "نتيجة", "متأثرا", "متأثرة", "أثناء",
            "خلال", "قرب", "وذلك", "البالغ", "البالغة", "عمره", "عمرها", "ويبلغ", "ابن", "ابنة", "عن", "مع", "بعمر", "وهو", "وهي", "التي", "الذي",
            "وأصيب", "واصيب", "وأصيبت", "بلدة", "مدينة", "قرية", "حي", "بريف", "ريف", "محافظة", "لقوات", "قوات", "تحت", "بسبب", "إلى", "الى",
            "و", "أو", "عاما", "عامًا", "سنوات", "سنة", "أعوام", "مدرستها", "منزل", "منزله", "منزلها", "حيث", "كما", "عند", "لدى", "ضمن",
            "ووالده", "ووالدته", "وابنه", "وابنته", "وزوجته", "وشقيقه", "وشقيقته", "وأصابة", "واصابة", "وإصابة", "أن", "دون", "هناك",
            "يكون", "أكثر", "رجل", "امرأة", "طفل", "طفلة", "مسن", "مسنة", "اليوم", "يبلغ", "تبلغ", "أمس", "امس",
            "متأثراً", "متاثرا", "رحمه", "رحمها", "المقلب", "الملقب", "راح", "فقد", "فقدت", "ذمة", "وابنة", "وابن", "حسبنا",
            "ناهز", "يناهز", "أشهرا", "اشهرا", "شهرا", "عامان", "عامين", "سنتان", "سنتين", "شهر", "شهرين", "شهران", "أشهر", "اشهر", "شهور", "أيام", "ايام",
            "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "كذلك", "أيضا", "ايضا", "أيضاً", "محتجزة", "محتجز",
            "يلقى", "يلقيان", "يلقون", "تلقى", "تلقيان", "قبل", "منذ", "المنحدر", "المنحدرة", "المتحدر", "المتحدرة", "المقيم", "المقيمة",
            "النازح", "النازحة", "المهجر", "المهجرة", "القاطن", "القاطنة", "المولود", "المولودة",
            "أمام", "داخل", "خارج", "وسط", "بجانب", "مقابل", "بين"}
#: Parts of the day that end a name when a day follows ("الزعبي مساء أمس", "صباح اليوم"): alone
#: they may be names (صباح).
_AR_DAY_PART = frozenset({"مساء", "صباح", "ظهر", "فجر", "ليلة", "عصر", "ظهيرة"})
_AR_DAY = frozenset({"أمس", "امس", "اليوم", "الأحد", "الاحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس",
                     "الجمعة", "السبت", "يوم", "البارحة"})
#: Words about how a person died that follow the name ("مقتولاً", "غرقاً", "بتهمة"): they end it.
_AR_AFTER_NAME = words("ar.after_name")
_AR_DESCRIBING = words("ar.describing_verb")
_AR_FEMALE = re.compile(r"(?<![\u0621-\u064A])[وبل]?(الطفلة|الشابة|السيدة|المواطنة|الطبيبة|الممرضة|الفتاة|الرضيعة|الشهيدة|المسنة|الحاجة|استشهدت|قتلت|قُتلت|توفيت|لقيت|البالغة|عمرها|امرأة|زوجته|ابنته|والدته)")
_AR_MALE = re.compile(r"(?<![\u0621-\u064A])[وبل]?(الطفل|الشاب|المواطن|الطبيب|الممرض|الفتى|الرضيع|الشهيد|المسن|الحاج|استشهد\s|قتل\s|توفي\s|لقي\s|البالغ\s|عمره|رجل)")
_AR_CHILD = re.compile(r"(الطفلة|الطفل|الرضيع|الرضيعة|طفل|طفلة|أطفال|الفتى|الفتاة)")
_AR_AGE = re.compile(r"(\d{1,3})\s*(?:عاما|عامًا|عام|سنوات|سنة|أعوام|اعوام)")
_AR_WORD_AGES = {"سنة": 1, "سنتين": 2, "عامين": 2, "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "اربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6,
                 "ستة": 6, "سبع": 7, "سبعة": 7, "ثماني": 8, "ثمان": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10}
_AR_AGE_WORDS = re.compile(r"(?:العمر|عمره|عمرها|البالغ|البالغة)[^.،]{0,20}?(" + "|".join(sorted(_AR_WORD_AGES, key=len, reverse=True)) + r")\s+(?:سنوات|سنة|أعوام|عاما)")


@dataclass
class _Mention:
    name: str
    sentence: str
    paragraph: str
    start: int  # offset of the name in the sentence
    age: int | None = None
    caption: bool = False
    arabic: bool = False
    listed: bool = False  # named in the same list as a victim ("named the dead as A; B; and C")
    cued: bool = False  # introduced by "named as" / "identified as"


def extract_text(
    text: str,
    *,
    published: dt.date | None = None,
    language: str | None = None,
    title: str | None = None,
) -> list[VictimRecord]:
    """Every person reported killed in ``text``, one record per person.

    ``published`` resolves dates without a year. ``language`` is detected when not given.
    Raises ``ValueError`` for a text over :data:`MAX_TEXT_CHARS`; empty text gives no records.
    """
    if text is None:
        return []
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text of {len(text):,} characters is over the {MAX_TEXT_CHARS:,}-character limit for one item")
    text = drop_post_headers(drop_comment_thread(strip_bidi_controls(text)))
    if not text.strip():
        return []
    language = language or detect_language(text) or "en"
    paragraphs = drop_furniture([p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()])
    context = _ItemContext.build("\n".join(paragraphs), title, published)
    mentions = []
    for reading in read_languages(language, "\n".join(paragraphs)):
        mentions += _arabic_mentions(paragraphs) if reading == "ar" else _english_mentions(paragraphs)
    for mention in mentions:
        context.names.setdefault(mention.sentence if not mention.caption else mention.paragraph, []).append(mention.name)
    context.read_place("\n".join(paragraphs), title, [m.name for m in mentions])
    records = []
    for mention in mentions:
        own = "ar" if mention.arabic else "en"
        if _described(mention, own, _PLACE):
            continue  # "El Geneina, a city in Darfur": a place, not a person
        record = _record(mention, context, published, own)
        if record is not None:
            _mark_combatant(record, mention, own)
            records.append(record)
    return _merge(records)


#: How many letters of the other script make a second reading worth it.
_SECOND_SCRIPT_LETTERS = 40
_ARABIC_LETTERS = re.compile(r"[\u0621-\u064A]")


def read_languages(language: str, text: str) -> list[str]:
    """The languages an item is read in: its own, then the other when the text holds enough of
    it to tell a death. A scraped post is often Arabic inside English page furniture ("Copy
    link to Tweet ... شهداء ارتقاء أحمد علي العامر ... Twitter may be over capacity"), which
    makes it English by its letters; an English report may quote an Arabic statement."""
    out = [language]
    if language != "ar" and len(_ARABIC_LETTERS.findall(text)) >= _SECOND_SCRIPT_LETTERS and _AR_DEATH.search(text):
        out.append("ar")
    if language != "en" and len(re.findall(r"[A-Za-z]", text)) >= _SECOND_SCRIPT_LETTERS and _DEATH_EN.search(text):
        out.append("en")
    return out


#: Cues read right before and right after a name: the person is described as a fighter
#: ("العسكري يدعى X", "X, a member of the PKK"), or the "name" is a place ("El Geneina, a city in
#: Darfur"). There is no Arabic place cue yet: Arabic names are found by titles and given names,
#: which a place does not have.
_COMBATANT = {"en": (cue("en.combatant_before"), cue("en.combatant_after")),
              "ar": (cue("ar.combatant_before"), cue("ar.combatant_after"))}
_PLACE = {"en": (cue("en.place_before"), cue("en.place_after"))}

#: What names the killers just before a description of fighters: the fighters are not the dead.
_KILLERS = re.compile(r"(?:\b(?:by|from)\s+(?:[\w'-]+\s+){0,2}|(?<![\u0621-\u064A])(?:برصاص|بقصف|بنيران|يد|قبل|رصاص)\s+(?:\S+\s+){0,1})$")
#: The confidence of a candidate its text describes as a fighter: shown, never hidden, but
#: below every other candidate.
COMBATANT_CONFIDENCE = 0.2


def _described(mention: _Mention, language: str, cues: dict[str, tuple[re.Pattern[str], re.Pattern[str]]]) -> str | None:
    """The words right before or right after a name that one of ``cues`` matches, or None."""
    if language not in cues:
        return None
    before, after = cues[language]
    end = mention.start + len(mention.name)
    found = before.search(mention.sentence[max(0, mention.start - 120):mention.start]) or after.match(mention.sentence[end:end + 160])
    return found.group(0).strip(" ،,") if found else None


def _mark_combatant(record: VictimRecord, mention: _Mention, language: str) -> None:
    """Mark a candidate its text describes as a soldier or fighter. The archive is of
    civilians, but the description may be wrong (a defector, a conscript, a claim by the side
    that killed them), so the candidate is still staged: a documenter decides, warned by
    ``extra["described_as"]`` and the words that say it, at a low confidence."""
    words = _described(mention, language, _COMBATANT)
    before = mention.sentence[max(0, mention.start - 120):mention.start]
    if words and _KILLERS.search(before[:before.rfind(words)] if words in before else ""):
        words = None  # "shot dead by regime soldiers, A", «برصاص عناصر من قوات النظام، وهم: A»: the killers
    if words:
        record.extra = {**record.extra, "described_as": "combatant", "described_as_words": words}
        record.confidence = min(record.confidence, COMBATANT_CONFIDENCE)


# --- finding mentions ---------------------------------------------------------------------


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; abbreviations such as "Dr." do not end a sentence."""
    # "in E. Deir Ez-Zour", "N. Daraa": a compass point, as SNHR abbreviates it, ends nothing.
    protected = re.sub(r"\b(Dr|Mr|Mrs|Ms|St|No|Eng|Gen|Col|Lt|Sgt|Jr|Sr|[NSEW]|NE|NW|SE|SW)\.(?=\s+[A-Z])", r"\1<DOT>", paragraph)
    parts = re.split(r"(?<=[.!?؟])\s+(?=[A-Z\"“\u0600-\u06FF(])|(?<=[.؟!])\s*(?=[\u0600-\u06FF])", protected)
    return [p.replace("<DOT>", ".").strip() for p in parts if p.strip()]


@dataclass
class _Sentence:
    """One sentence being read, and the names found in it so far by their offset.

    Each sentence shape the extractor knows is a stage (:data:`_EN_STAGES`,
    :data:`_AR_STAGES`) that reads the sentence and adds the names it governs. A name found by
    an earlier stage is not found again by a later one (a name starting within ``window``
    characters of it is the same name); the later stage may only give it an age, or mark it
    as listed with a victim."""

    text: str
    paragraph: str
    paragraphs: list[str]
    index: int  # of the paragraph in ``paragraphs``
    arabic: bool = False
    window: int = 3
    found: dict[int, _Mention] = field(default_factory=dict)
    #: Arabic: the texts in quotation marks or brackets anywhere in the item.
    quoted: tuple[str, ...] = ()
    #: Arabic: offsets of names found only by a given name at their start (no cue before them).
    anchored: set[int] = field(default_factory=set)

    @cached_property
    def chains(self) -> list[list[tuple[int, str, int | None, int]]]:
        """The runs of names of the sentence (:func:`_chains`), read once for every stage."""
        return _chains(self.text)

    def near(self, start: int) -> int | None:
        """The offset of a name already found within ``window`` characters of ``start``."""
        return next((s for s in self.found if abs(start - s) < self.window), None)

    def add(self, match: re.Match[str], group: int = 1, age: int | None = None) -> None:
        """The name ``match`` caught in ``group``; a name already there only takes ``age``
        if it has none."""
        name = _trim_name(match.group(group))
        if not name:
            return
        start = match.start(group)
        if self.near(start) is not None:
            if age is not None:
                for s, m in self.found.items():
                    if abs(start - s) < self.window and m.age is None:
                        m.age = age
            return
        self.found[start] = _Mention(name, self.text, self.paragraph, start, age=age)

    def put(self, start: int, name: str, age: int | None = None, *, listed: bool = False, mark: bool = False) -> None:
        """A name at ``start`` unless one is already there; with ``mark``, the one there is
        marked as listed with a victim."""
        near = self.near(start)
        if near is None:
            self.found[start] = _Mention(name, self.text, self.paragraph, start, age=age, listed=listed, arabic=self.arabic)
        elif mark:
            self.found[near].listed = True


def _has_own_verb(text: str, chain: list[tuple[int, str, int | None]], verbs: str) -> bool:
    """Whether the names of ``chain`` are followed by a verb of their own (one of ``verbs``, an
    alternation) that is no verb of dying: then they are a clause's subjects, not the objects of
    what came before them."""
    end = chain[-1][0] + len(chain[-1][1])
    return bool(re.match(rf"\s*,?\s*(?:{verbs})\b", text[end:])) and not _DIED_AFTER_NAME.match(text, end)


def _names_after(pattern: re.Pattern[str], *, listed: bool) -> Callable[[_Sentence], None]:
    """A stage: the list of names right after each match of ``pattern`` ("including A, B and
    C", "the victims were A and B")."""
    def stage(sentence: _Sentence) -> None:
        for match in pattern.finditer(sentence.text):
            chain = _name_chain(sentence.text, match.end())
            if chain and _has_own_verb(sentence.text, chain, "were|was"):
                continue  # "killed two people, A and B were taken to hospital wounded": the names have a verb of their own
            # The names listed after the first share its verdict: "killed A, a commander; B, a
            # leader; and fighter C" (a semicolon would end the clause a lone name is judged in).
            rest = listed or (len(chain) > 1 and _is_victim_en(_Mention(chain[0][1], sentence.text, sentence.paragraph, chain[0][0])))
            for k, (start, name, age) in enumerate(chain):
                sentence.put(start, name, age, listed=listed or (k > 0 and rest), mark=listed)
    stage.__name__ = f"names_after_{pattern.pattern[:20]}"
    return stage


def _en_named_as(sentence: _Sentence) -> None:
    """"identified as A", "named the dead as A, co-chair of ...; B, an adviser; and C"."""
    text, found = sentence.text, sentence.found
    for match in _CUE_NAMED.finditer(text):
        # "identified the victims as A, his wife B and their son C": the cue names the dead.
        of_the_dead = bool(re.search(r"\b(?:dead|victims?|deceased|bodies|martyrs?)\b", text[max(0, match.start() - 40):match.start(1)]))
        sentence.add(match)
        if match.start(1) in found:
            found[match.start(1)].cued = True
            found[match.start(1)].listed |= of_the_dead
        for piece in re.finditer(rf"(?:;|,\s+and|,|\s+and)\s+(?:and\s+)?(?:{_TITLE_EN}|(?:his|her|their)\s+{_KIN_EN}\s+|{_CUE_ROLE_EN})?({NAME})"
                                 r"(?=,|;|\.\s*$|\s+from\b|\s+and\b|\s*$|\s+(?:were|was)\b|\s*\(\d{1,3}\))",
                                 text[match.end():match.end() + 400]):
            start = match.end() + piece.start(1)
            name = _trim_name(piece.group(1))
            first = found.get(match.start(1))
            if name and first and (of_the_dead or _is_victim_en(first)) and sentence.near(start) is None:
                found[start] = _Mention(name, text, sentence.paragraph, start, listed=True)


def _en_one_name_per_match(sentence: _Sentence) -> None:
    """The shapes that name one person each: "A, from X, died", "A, 34, was killed", "the
    nurse A", "A, a farmer, ...", "Russian warplanes killed A", "his son A, 12"."""
    text = sentence.text
    for match in _FROM_DIED.finditer(text):
        sentence.add(match)
    for match in _NAME_AGE_DIED.finditer(text):
        group = 1 if match.group(1) else 3
        sentence.add(match, group, int(match.group(group + 1)))
    for match in _ROLE_NAME.finditer(text):
        sentence.add(match)
    for match in _APPOSITION.finditer(text):
        sentence.add(match, 1, int(match.group(2)) if match.group(2) else None)
    for match in _SUBJECT.finditer(text):
        sentence.add(match, 1, int(match.group(2)) if match.group(2) else None)
    for match in _RELATIVE.finditer(text):
        years = match.group(1)
        months = years and "month" in match.group(0).split(years, 1)[1][:7]
        age = 0 if months else (int(years) if years and years.isdigit() else _WORD_AGES.get((years or "").lower()))
        sentence.add(match, 2, age)


def _en_one_of_the_dead(sentence: _Sentence) -> None:
    """"One of them was A": only when a death was told just before ("three people were
    killed ... . One of them ...")."""
    paragraph, paragraphs, index = sentence.paragraph, sentence.paragraphs, sentence.index
    for match in _ONE_OF_THE_DEAD.finditer(sentence.text):
        told = _DEATH_EN.search(paragraph[:paragraph.find(sentence.text)]) or _DEATH_EN.search(paragraphs[index - 1] if index else "")
        for start, name, age in (_name_chain(sentence.text, match.end()) if told else []):
            sentence.put(start, name, age, listed=True, mark=True)


_ATTACKED_AFTER_DEATH = cue("en.attacked_after_death")
#: What an attacked person lived through instead of dying.
_SURVIVED_EN = re.compile(r"\b(?:injur\w*|wound\w*|hurt|arrest\w*|detain\w*|abduct\w*|kidnap\w*|survived|rescued|escaped|treated|"
                          r"hospitali[sz]ed|missed)\b", re.I)


def _en_attacked_after_death(sentence: _Sentence) -> None:
    """"Two members ... were killed ... . The attackers fired [at] A and B": the people an attack
    is told on, named in the sentence right after a death was told, when their own sentence
    tells no hurt, arrest or escape (then they are the dead just counted, for a documenter to
    confirm)."""
    paragraph, paragraphs, index = sentence.paragraph, sentence.paragraphs, sentence.index
    text = sentence.text
    if _SURVIVED_EN.search(text):
        return
    for match in _ATTACKED_AFTER_DEATH.finditer(text):
        before = paragraph[:paragraph.find(text)]
        told = _DEATH_EN.search(split_sentences(before)[-1] if before.strip() else (paragraphs[index - 1] if index else ""))
        for start, name, age in (_name_chain(text, match.end()) if told else []):
            sentence.put(start, name, age, listed=True, mark=True)


def _en_named_after_count(sentence: _Sentence) -> None:
    """"Three journalists ... were killed on May 27 ... . A, the director, B, a correspondent, and
    C, the head of live streaming, were filming the clashes when ...": a sentence that opens
    with a list of exactly as many names as the sentence before it counted dead, telling no hurt
    or arrest of them, names the dead just counted."""
    from .incidents import find_counts

    text = sentence.text
    chains = sentence.chains
    if not chains or len(chains[0]) < 2 or chains[0][0][0] > 3 or _SURVIVED_EN.search(text):
        return
    paragraph, paragraphs, index = sentence.paragraph, sentence.paragraphs, sentence.index
    before = paragraph[:paragraph.find(text)]
    previous = split_sentences(before)[-1] if before.strip() else (split_sentences(paragraphs[index - 1])[-1:] or [""])[0] if index else ""
    if any(c.kind == "killed" and c.minimum == len(chains[0]) for c in find_counts(previous, "en")):
        for start, name, age, _ in chains[0]:
            sentence.put(start, name, age, listed=True, mark=True)


def _en_killed_role_then_name(sentence: _Sentence) -> None:
    """"a Turkish drone killed a senior YPG official, Mihemed Sari": the verb's object is the role,
    and the name set off after it is that object; the role's own words ("official",
    "commander") do not make the name a speaker's."""
    text = sentence.text
    for match in _KILLED_OBJECT.finditer(text):
        if not match.group(0).rstrip().endswith(","):
            continue
        chain = _name_chain(text, match.end())
        # "killed two people, A and B were taken to hospital": the names have a verb of their own.
        if not chain or _has_own_verb(text, chain, "were|was|are|is|have|has|had"):
            continue
        for start, name, age in chain:
            sentence.put(start, name, age, listed=True, mark=True)


def _en_run_of_names_with_death(sentence: _Sentence) -> None:
    """A run of three names or more in a sentence that tells a death and no hurt, arrest or
    escape ("Killed were A, B, C and D in the strike on ...", "A, B, C and D, all of the same
    family, lost their lives"): the list is of the dead, whatever verb shape joins them."""
    text = sentence.text
    if not _DEATH_EN.search(text) or _SURVIVED_EN.search(text) or _NOT_DEATH_EN.search(text.lower().replace("according to", "")):
        return
    for chain in sentence.chains:
        if len(chain) >= 3:
            for start, name, age, _ in chain:
                sentence.put(start, name, age, listed=True, mark=True)


def _en_fire_on_killing_him(sentence: _Sentence) -> None:
    """"opened fire on A B C, a soldier ..., in the town of X, killing him instantly"."""
    text = sentence.text
    for chain in sentence.chains:
        start, name, age, after = chain[-1]
        killing = _KILLING_HIM.search(text, after)
        a_place = re.search(r"\b(?:town|city|village|neighbou?rhood|camp|area|countryside|province|governorate)\s+of\s+$|\b(?:in|at|near|from|to)\s+$",
                            text[:start])
        if killing and len(chain) == 1 and not a_place and not _people_between(text, after, killing.start()):
            sentence.put(start, name, age)


def _en_died_after_names(sentence: _Sentence) -> None:
    """"A, B and C were killed": the verb of dying follows the names and governs them,
    whatever is said before."""
    text = sentence.text
    for chain in sentence.chains:
        last = chain[-1][3]
        if _DIED_AFTER_NAME.match(text, last + (1 if text.startswith(",", last) and not _LIST_AGE.match(text, last) else 0)) \
                or _DIED_AFTER_NAME.match(text, last):
            for start, name, age, _ in chain:
                sentence.put(start, name, age, listed=True, mark=True)


def _en_own_child(sentence: _Sentence) -> None:
    """"killing A B C and his daughter Hiba": the child carries the father's family name."""
    found, text = sentence.found, sentence.text
    for match in _EN_OWN_CHILD.finditer(text):
        parents = [m for s, m in sorted(found.items()) if s < match.start() and len(m.name.split()) >= 2]
        # "... and his son Sami was wounded": the child's own verb is a hurt.
        hurt = re.match(r"\s*(?:,\s*)?(?:\(\d{1,3}\)\s*|,\s*\d{1,3},\s*)?(?:was|were)\s+(?:\w+ly\s+)?(?:injur|wound|hurt|arrest|detain|abduct)", text[match.end():])
        if parents and not hurt and sentence.near(match.start(1)) is None:
            # "A, his wife B and their son C": the child of a couple carries the father's name,
            # the first of them named; "his son" the name of the one just before.
            parent = parents[0] if match.group(0).split()[1:2] == ["their"] or " their " in match.group(0) else parents[-1]
            parts = parent.name.split()
            # "al Hammadin": the article written apart goes with the family name.
            family = " ".join(parts[-2:]) if len(parts) > 2 and parts[-2].lower() in ("al", "el") else parts[-1]
            sentence.put(match.start(1), f"{match.group(1)} {family}", listed=parent.listed)


def _en_body_of(sentence: _Sentence) -> None:
    """"the body of A was found"."""
    for match in _BODY_OF.finditer(sentence.text):
        name = _trim_name(match.group(1))
        if name:
            sentence.put(match.start(1), name, listed=True)


#: "brothers Abdul Qader and Khalifa Ali al Khalifa": siblings named by their given names,
#: the family name written once, at the end.
_EN_SIBLINGS = re.compile(rf"(?:\b(?:brothers|sisters|siblings|twins|cousins|children|boys|girls|sons|daughters)\s+|,\s+|^)"
                          rf"((?:Abdul\s+|Abd\s+al[- ]|Abu\s+)?[A-Z][a-z'’]+)\s+and\s+({NAME})")


#: Kin named in a list set off by dashes or a colon: "Two of his brothers – Abdel Ghani, another
#: journalist, and Ahmed Kaake – were previously killed".
_EN_KIN_LIST = re.compile(r"\b(?:brothers|sisters|siblings|cousins|sons|daughters|children)\s*(?:[–—:]|--)\s*")
#: A given name of two words that is no full name: "Abdel Ghani", "Abdul Rahman", "Abu Bakr".
_LATIN_COMPOUND_GIVEN = re.compile(r"^(?:Abdel|Abdul|Abdal|Abd|Abu|Abo)\s+[A-Z][a-z'’]+$")


def _en_kin_list(sentence: _Sentence) -> None:
    """The kin listed after "his brothers –", when a death is told right after the list: each
    is dead, and a compound given name alone ("Abdel Ghani") takes the family name of the last
    one listed ("Ahmed Kaake")."""
    text = sentence.text
    for match in _EN_KIN_LIST.finditer(text):
        chain = _name_chain(text, match.end())
        if len(chain) < 2:
            continue
        end = chain[-1][0] + len(chain[-1][1])
        after = re.match(r"\s*(?:[–—]|--)\s*", text[end:])
        if not after or not _DIED_AFTER_NAME.match(text, end + after.end()):
            continue
        last = chain[-1][1].split()
        family = " ".join(last[-2:]) if len(last) > 2 and last[-2].lower() in ("al", "el") else last[-1]
        for start, name, age in chain:
            full = f"{name} {family}" if _LATIN_COMPOUND_GIVEN.match(name) and len(last) >= 2 else name
            near = sentence.near(start)
            if near is not None:
                del sentence.found[near]
            sentence.put(start, full, age, listed=True)


def _en_siblings(sentence: _Sentence) -> None:
    """Siblings named by given name with one family name at the end: each takes it, when
    the full name is said to have died."""
    for match in _EN_SIBLINGS.finditer(sentence.text):
        full = _trim_name(match.group(2))
        given = match.group(1)
        if not full or len(full.split()) < 2 or not (given.startswith(("Abd", "Abu")) or _is_given_name_latin(given)):
            continue
        second = _Mention(full, sentence.text, sentence.paragraph, match.start(2))
        if not _is_victim_en(second):
            continue
        parts = full.split()
        family = " ".join(parts[-2:]) if len(parts) > 2 and parts[-2].lower() in ("al", "el") else parts[-1]
        sentence.put(match.start(1), f"{match.group(1)} {family}", listed=True)
        sentence.put(match.start(2), full, listed=True)


def _en_list_killed(sentence: _Sentence) -> None:
    """"The dead are: A, 34; B, a nurse; and C"."""
    for match in _LIST_KILLED.finditer(sentence.text):
        names_part, offset = match.group(1), match.start(1)
        for piece in re.finditer(rf"(?:Dr\.?\s+)?({NAME})(?:,\s+(?:a|an)\s+(\d{{1,3}})?[^,]*?)?(?:,\s+(\d{{1,3}}))?(?=,|\s+and\s+|$)", names_part):
            name = _trim_name(piece.group(1))
            if name:
                listed_age = piece.group(2) or piece.group(3)
                sentence.put(offset + piece.start(1), name, int(listed_age) if listed_age else None)


def _en_ages_near_names(sentence: _Sentence) -> None:
    """"A (34)" or "A, 34," near a name already found gives it its age."""
    found = sentence.found
    for match in _NAME_AGE.finditer(sentence.text):
        name = _trim_name(match.group(1))
        if name and any(abs(match.start(1) - s) < 25 and (found[s].name in name or name in found[s].name) for s in found):
            for s in found:
                if abs(match.start(1) - s) < 25 and found[s].age is None:
                    found[s].age = int(match.group(2))


#: The English sentence shapes, in the order they read a sentence: an earlier one's reading
#: of a name stands (see :class:`_Sentence`).
_EN_STAGES: tuple[Callable[[_Sentence], None], ...] = (
    _en_named_as,
    _en_one_name_per_match,
    _names_after(_INCLUDING, listed=False),
    _en_one_of_the_dead,
    _en_attacked_after_death,
    _en_named_after_count,
    _en_run_of_names_with_death,
    _names_after(_NAME_OF_THE_DEAD, listed=True),
    _names_after(_VICTIMS_WERE, listed=True),
    _en_fire_on_killing_him,
    _names_after(_BODIES_OF_NAMED, listed=True),
    _names_after(cue("en.killed_list"), listed=True),
    _names_after(cue("en.death_of"), listed=True),
    _names_after(cue("en.among_the_dead"), listed=True),
    _names_after(cue("en.killed_were"), listed=True),
    _names_after(cue("en.killed_include"), listed=True),
    _en_killed_role_then_name,
    _names_after(_KILLED_OBJECT, listed=False),
    _en_siblings,
    _en_kin_list,
    _en_died_after_names,
    _en_own_child,
    _en_body_of,
    _en_list_killed,
    _en_ages_near_names,
)


def _english_mentions(paragraphs: list[str]) -> list[_Mention]:
    mentions: list[_Mention] = []
    rejected: list[tuple[int, _Mention]] = []
    list_lines = _english_list_lines(paragraphs)
    paragraphs = _join_run_on_lists(paragraphs, _EN_RUN_ON)
    for index, paragraph in enumerate(paragraphs):
        caption = _CAPTION.match(paragraph)
        if caption and len(paragraph) < 200 and not _DEATH_EN.search(paragraph) and not _SURVIVED_EN.search(paragraph):
            name = _trim_name(caption.group(1))
            # A caption names a person ("The victim X – ...", "Mohammad X | ..."), not a page
            # section ("Discover Popular Videos | Facebook", "Joint Anti-ISIS Operation | ...").
            if name and (paragraph.startswith("The ") or _is_given_name_latin(name.split()[0])):
                mentions.append(_Mention(name, paragraph, paragraph, caption.start(1), caption=True))
            continue
        for text in split_sentences(paragraph):
            sentence = _Sentence(text, paragraph, paragraphs, index)
            for stage in _EN_STAGES:
                stage(sentence)
            found = sentence.found
            # "A, also known as B": B is A's other name, not a second victim.
            kept = [m for _, m in sorted(found.items())
                    if not _EN_ALIAS_BEFORE.search(text[max(0, m.start - 30):m.start]) and (m.listed or _is_victim_en(m))]
            mentions.extend(kept)
            rejected.extend((index, m) for m in found.values() if m not in kept)
            # Anyone else the sentence names may die in a later one ("opened fire on A B C. C died").
            named = {m.name for m in found.values()}
            rejected.extend((index, _Mention(other, text, paragraph, text.find(other)))
                            for other in _other_people(text) if other not in named and len(other.split()) >= 2)
    mentions.extend(_told_later(paragraphs, rejected, mentions))
    mentions.extend(m for m in list_lines if m.name not in {k.name for k in mentions})
    mentions.extend(m for m in _english_name_headings(paragraphs) if m.name not in {k.name for k in mentions})
    mentions.extend(m for m in _english_name_block(paragraphs) if m.name not in {k.name for k in mentions})
    if not mentions:
        mentions.extend(_introduced_then_died(paragraphs) or _titled_then_introduced(paragraphs))
    return mentions


_KIN_EN = r"(?:sons?|daughters?|wife|husband|brothers?|sisters?|father|mother|cousins?|nephews?|nieces?|child|children|grandsons?|granddaughters?)"
#: A role before a name inside a list of the dead ("killing farmer A and YAT fighter B"): an
#: acronym or one lower-case word may qualify it.
_ROLE_EN = (r"(?:(?:[A-Z]{2,5}|[a-z]+)\s+)?(?:fighter|commander|member|leader|volunteer|journalist|activist|photographer|nurse|"
            r"doctor|teacher|paramedic|farmer|driver|rescuer|shepherd|student|reporter|cameraman|technician|correspondent|"
            r"photojournalist|engineer|lawyer|pharmacist|worker)\s+(?=[A-Z])")


def _name_chain(sentence: str, pos: int) -> list[tuple[int, str, int | None]]:
    """The names listed from ``pos`` on: "A, B and C", each with an age given as "(16)" or ", 34";
    the list ends at the first thing that is not a name or a list joint ("and injured B" ends it)."""
    names: list[tuple[int, str, int | None]] = []
    while True:
        # "A, his son B and C": kin within the list are among the dead it lists.
        title = re.match(rf"{_TITLE_EN}|(?:his|her|their)\s+(?:(?:two|three|four|eldest|youngest|little)\s+)?{_KIN_EN},?\s+|{_ROLE_EN}",
                         sentence[pos:])
        start = pos + (title.end() if title else 0)
        match = _NAME_RE.match(sentence, start)
        name = _trim_name(match.group(0)) if match else None
        if not match or not name:
            return names
        end = match.start() + match.group(0).find(name) + len(name) if name in match.group(0) else match.end()
        age_match = _LIST_AGE.match(sentence, end)
        age = int(age_match.group(1) or age_match.group(2)) if age_match else None
        names.append((match.start() + max(0, match.group(0).find(name)), name, age))
        pos = age_match.end() if age_match else end
        alias = re.match(r"\s*,?\s*\((?:aka|a\.k\.a\.|also known as|known as)?[^)]{1,60}\)", sentence[pos:])
        pos += alias.end() if alias else 0  # "A (aka B)": one person
        role = _APPOSITIVE.match(sentence, pos) or _APPOSITIVE_TO_SEMICOLON.match(sentence, pos)
        if role and re.match(r"[,;]\s+and\b|;", sentence[role.end() - 1:]):
            pos = role.end() - 1  # "A, a member of the committee, and his cousin, B"; "A, a commander; B, a leader; and C"
        # A semicolon joins the list only after a role it closes ("A, a commander; B"), not a clause.
        glue = _LIST_GLUE.match(sentence, pos) or (_SEMICOLON_GLUE.match(sentence, pos) if role and sentence[role.end() - 1] == ";" else None)
        if not glue:
            return names
        pos = glue.end()


def _people_between(sentence: str, start: int, end: int) -> bool:
    """Whether someone else is named between two points of a sentence (places are not people:
    "in the town of Um Walad")."""
    for other in _other_people(sentence[start:end]):
        at = sentence.find(other, start)
        if not re.search(r"\b(?:town|city|village|neighbou?rhood|camp|area|countryside|province|governorate)\s+of\s+$", sentence[start:at]):
            return True
    return False


#: List glue with an honorific or an age before the next name (", and 11-year-old B").
#: The glue may carry a title or a role of the next name ("..., and senior military official C").
_LIST_GLUE_TITLED = re.compile(rf"{_LIST_GLUE.pattern}(?:{_TITLE_EN}|(?:[a-z]+\s+){{0,2}}(?:official|officer|commander|leader|minister|"
                               rf"adviser|advisor|aide|deputy|member|journalist|activist|volunteer|doctor|nurse|cameraman|reporter)\s+)?")


def _chains(sentence: str) -> list[list[tuple[int, str, int | None, int]]]:
    """Runs of names joined as a list ("A, B and C"), each name with its start, age and the end
    of what belongs to it (its age included): the last end is where the verb would follow."""
    chains: list[list[tuple[int, str, int | None, int]]] = []
    inside_role = -1
    for match in _NAME_RE.finditer(sentence):
        if match.start() < inside_role:
            continue  # "Baath Party" in "A, secretary of the Baath Party in X, and B"
        name = _trim_name(match.group(0))
        if not name or name not in match.group(0):
            continue
        start = match.start() + match.group(0).find(name)
        end = start + len(name)
        age_match = _LIST_AGE.match(sentence, end)
        age = int(age_match.group(1) or age_match.group(2)) if age_match else None
        after = age_match.end() if age_match else end
        role = _APPOSITIVE.match(sentence, after)
        short = _APPOSITIVE_BEFORE_AND.match(sentence, after)
        joined = _NAME_RE.match(sentence, short.end() + len(" and ")) if short else None
        if short and joined and _trim_name(joined.group(0)) and (role is None or short.end() < role.end()):
            after = inside_role = short.end()  # "A, an American who ... Times and B, a French photographer, were killed"
        elif role:
            after = role.end() - 1  # "A, mayor of the town, were killed": the verb follows the role
            inside_role = role.end()
        if chains and _LIST_GLUE_TITLED.fullmatch(sentence, chains[-1][-1][3], start):
            chains[-1].append((start, name, age, after))
        else:
            chains.append([(start, name, age, after)])
    return chains


def _told_later(paragraphs: list[str], rejected: list[tuple[int, _Mention]], victims: list[_Mention]) -> list[_Mention]:
    """People named in an item whose death a later sentence (of the same paragraph or the two
    after it) tells: by their family name ("... opened fire on A B Rifa'i ... . Rifa'i, who was
    waiting for the bus, died instantly"), or by pronoun when they are the only person the item
    named ("named as A, was arrested ... . On August 29 SNHR received information confirming
    his death")."""
    found: list[_Mention] = []
    known = {m.name for m in victims}
    alone = len({m.name for _, m in rejected if m.cued}) == 1 and not victims
    sentences: dict[int, list[str]] = {}
    # A given name said alone later is this person's only when no one else named has it.
    givens = Counter(name.split()[0] for name in {m.name for _, m in rejected} | known)
    for index, mention in rejected:
        if mention.name in known:
            continue
        known.add(mention.name)
        family = re.sub(r"^(?:al|el|Al|El)-", "", mention.name.split()[-1])
        given = mention.name.split()[0] if givens[mention.name.split()[0]] == 1 and len(mention.name.split()) >= 2 else None
        subject = mention.sentence.lstrip().startswith(mention.name) and len(_other_people(mention.sentence)) <= 1
        rest = paragraphs[index][mention.start + len(mention.name):] + " ".join(paragraphs[index + 1:index + 3])
        if not (alone and mention.cued) and not subject and family not in rest and not (given and given in rest):
            continue  # the person is not spoken of again: nothing later can be about them
        for at in range(index, min(index + 3, len(paragraphs))):
            sentences.setdefault(at, split_sentences(paragraphs[at]))
        own_sentences = sentences[index]
        later = own_sentences[own_sentences.index(mention.sentence) + 1:] if mention.sentence in own_sentences else []
        later += [s for at in range(index + 1, min(index + 3, len(paragraphs))) for s in sentences[at]]
        for number, sentence in enumerate(later):
            # "... said Dyab was killed while filming": the family name anywhere, as a subject;
            # "the husband of Asma Kayali ... . Asma was killed with her three children": the
            # given name, at the head of a sentence.
            own = next((m for m in re.finditer(rf"(?<![\w'’-])(?:(?:Al|El|al|el)-)?{re.escape(family)}\b", sentence)
                        if _DIED_AFTER_NAME.match(sentence, m.end())), None)
            if given and not own:
                head = re.match(rf"\s*{re.escape(given)}\b(?!\s+(?:[A-Z]|al-|el-))", sentence)
                own = head if head and _DIED_AFTER_NAME.match(sentence, head.end()) else None
            # "A, a photographer ..., was a member of ... . He was killed in Russian air strikes":
            # the pronoun right after the sentence A is the subject of, with no one else named.
            pronoun = number == 0 and subject and re.match(r"\s*(?:He|She)\b", sentence) is not None \
                and _DIED_AFTER_NAME.match(sentence, re.match(r"\s*(?:He|She)", sentence).end()) is not None  # type: ignore[union-attr]
            if own or pronoun:
                found.append(_Mention(mention.name, f"{mention.sentence} … {sentence}", mention.paragraph, mention.start))
                break
            if alone and mention.cued and len(_other_people(sentence)) <= 1 and re.search(
                    r"\b(?:confirm\w*|of|learned of|received news of)\s+(?:his|her)\s+death\b|\b(?:he|she) (?:had )?died\b", sentence):
                found.append(_Mention(mention.name, f"{mention.sentence} … {sentence}", mention.paragraph, mention.start))
                break
    return found

_EN_LIST_HEADING = cue("en.list_heading")
#: One line of a list of the dead: a number or bullet, the name, maybe its age or place.
_EN_LIST_LINE = re.compile(rf"^\s*(?:\d{{1,3}}\s*[-.)–]\s*|[-–•*]\s*)?(?:{_TITLE_EN})?({NAME})\s*(?:,\s*(\d{{1,3}})|\((\d{{1,3}})\)|[-–,:]\s*[^.]{{0,60}})?\s*\.?\s*$")


def _english_list_lines(paragraphs: list[str]) -> list[_Mention]:
    """Names listed one a line under a line that announces the dead ("The names of the dead:"),
    numbered or bulleted ("1- A", "• B, 34"); the list ends at the first line that is not one."""
    mentions: list[_Mention] = []
    for index, paragraph in enumerate(paragraphs):
        if not _EN_LIST_HEADING.search(paragraph) or _NOT_DEATH_EN.search(paragraph.rsplit(",", 1)[-1]):
            continue
        # "the names of the wounded and a martyr:": the list mixes them; a line is of the dead
        # only when it says so itself ("A, 25 years old got martyred.").
        mixed = re.search(r"\b(?:wounded|injured|hurt)\b", paragraph, re.I) is not None
        for line in paragraphs[index + 1:index + 60]:
            match = _EN_LIST_LINE.match(line) or (re.match(rf"^\s*({NAME})\b", line) if mixed else None)
            name = _trim_name(match.group(1)) if match else None
            if not match or not name:
                break
            if mixed and not _DEATH_EN.search(line):
                continue
            age = (match.group(2) or match.group(3)) if match.re is _EN_LIST_LINE else None
            mentions.append(_Mention(name, f"{paragraph} {line}", paragraph, len(paragraph) + 1, age=int(age) if age else None, listed=True))
    return mentions


def _english_name_headings(paragraphs: list[str]) -> list[_Mention]:
    """A memorial of several of the dead: the item tells their deaths at its head ("Seven White
    Helmet volunteers were assassinated in Sarmin ... their stories follow below"), then gives
    each a heading that is only the name, followed by a paragraph about that person ("Ziad
    Hassan Qadhanoun was a father to many ..."). Two such headings at least."""
    if not any(_DEATH_EN.search(p) for p in paragraphs[:3]):
        return []
    found: list[_Mention] = []
    for index, paragraph in enumerate(paragraphs[:-1]):
        line = paragraph.strip()
        match = re.fullmatch(rf"(?:{_TITLE_EN})?({NAME})", line)
        name = _trim_name(match.group(1)) if match else None
        if not name or len(line) > 60:
            continue
        words = name.split()
        following = paragraphs[index + 1].lstrip()
        if following.startswith((name, words[0] + " ", words[-1] + " ")) and len(following) > len(name) + 40:
            found.append(_Mention(name, f"{paragraphs[0]} … {line}", paragraph, 0, listed=True))
    return found if len(found) >= 2 else []


#: A bullet or a number that opens a line of a list.
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}\s*[-.)–]|[-–•*·▪●])\s*")
#: A line that says a list follows, in other words than a heading of the dead ("I’m listing the names below").
_LIST_FOLLOWS = re.compile(r"\b(?:names?|list(?:ing|ed)?|following|below)\b", re.I)


def _english_name_block(paragraphs: list[str]) -> list[_Mention]:
    """Three bulleted or numbered lines or more in a row, each a name (maybe with an age), right
    after a line that tells a death or says a list of names follows, in an item that tells a
    death in the four lines before, that line telling no hurt, arrest or disappearance ("The Church has
    published the names of 21 Assyrians killed by ISIS ... I’m listing the names below ...",
    then "• Hani Moussa Khazaal, 25"): the dead, listed without a heading of the usual words."""
    found: list[_Mention] = []
    index = 1
    while index < len(paragraphs):
        run: list[tuple[int, str, int | None]] = []
        at = index
        while at < len(paragraphs) and _LIST_MARKER.match(paragraphs[at]) and len(paragraphs[at]) <= 90:
            match = _EN_LIST_LINE.match(paragraphs[at])
            name = _trim_name(match.group(1)) if match else None
            if not match or not name:
                break
            age = match.group(2) or match.group(3)
            run.append((at, name, int(age) if age else None))
            at += 1
        before = paragraphs[index - 1]
        told = any(_DEATH_EN.search(p) for p in paragraphs[max(0, index - 4):index])
        if len(run) >= 3 and told and (_DEATH_EN.search(before) or _LIST_FOLLOWS.search(before)) and not _SURVIVED_EN.search(before) \
                and not re.search(r"\b(?:missing|disappeared|wanted|candidates?)\b", before, re.I):
            found.extend(_Mention(name, f"{before} {paragraphs[line]}", paragraphs[line], 0, age=age, listed=True)
                         for line, name, age in run)
        index = at + 1 if run else index + 1
    return found


#: A later sentence that tells the death of the person a report opened with: by first name
#: ("Abdullah's family received notification ... that he had died") or by pronoun ("his body").
_LATER_DEATH = cue("en.later_death")
#: The English list end and death cue of :func:`_join_run_on_lists`.
_EN_RUN_ON = (cue("en.list_end"), _DEATH_EN)


def _introduced_then_died(paragraphs: list[str]) -> list[_Mention]:
    """An item about one person — "X, a defector from ..., was arrested in ..." — whose death
    comes paragraphs later ("On August 5 his family learned that he had died"), as in SNHR's
    reports of deaths in detention. Only when the opening sentence introduces the person and no
    other name is found: the evidence is the opening sentence and the later one."""
    if not paragraphs:
        return []
    opening = split_sentences(paragraphs[0])[0] if split_sentences(paragraphs[0]) else ""
    subject = _SUBJECT.match(opening) or re.match(rf"^(?:{_TITLE_EN})?({NAME}),\s+(?:an?|the)\s+[^,]{{2,90}},", opening)
    if subject is None:
        return []
    name = _trim_name(subject.group(1))
    if not name:
        return []
    first = name.split()[0]
    rest = " ".join(paragraphs)[len(opening):]
    for sentence in split_sentences(rest):
        if first in sentence and _LATER_DEATH.search(sentence) or (sentence.lstrip().startswith(("He ", "His ", "She ", "Her ")) and _LATER_DEATH.search(sentence)):
            return [_Mention(name, f"{opening} … {sentence}", paragraphs[0], subject.start(1))]
    return []


def _titled_then_introduced(paragraphs: list[str]) -> list[_Mention]:
    """An item whose title tells a death ("Farmer shot dead by gunmen in E. Daraa, September 13")
    and whose first paragraph opens by introducing the person ("X, a 68-year-old man who
    was..."), as SNHR's pages and feed items are written: the person introduced is the one
    the title says died. Only when no other name is found, and only for a title that is not
    about the wounded or the held."""
    if len(paragraphs) < 2 or len(paragraphs[0]) > 200 or not _DEATH_EN.search(paragraphs[0]):
        return []
    death = _DEATH_EN.search(paragraphs[0])
    other = re.search(r"\b(?:injur|wound|arrest|detain|abduct|kidnap)", paragraphs[0], re.I)
    if death is None or (other and other.start() < death.start()):
        return []
    opening = paragraphs[1]
    subject = re.match(rf"^(?:{_TITLE_EN})?({NAME}),\s+(?:(?:an?|the)\s+[^,]{{2,90}}?(?:,|\.\.\.|…|\.|$)|aged\s+\d{{1,3}},)", opening)
    name = _trim_name(subject.group(1)) if subject else None
    if subject is None or not name or len(name.split()) < 2:
        return []
    return [_Mention(name, f"{paragraphs[0]} … {opening}", opening, subject.start(1))]


def _is_given_name_latin(word: str) -> bool:
    """Whether a Latin word spells a common Arabic given name (its cross-script key is one of
    the common names' keys): "Mohamad", "Hossam" yes, "Discover" no."""
    from tawthiq.lang.names import common_skeletons, name_parts

    parts = name_parts(word).skeletons
    return bool(parts) and parts[0] in common_skeletons()


_PLACE_WORDS_EN = r"(?:town|village|city|governorate|neighbou?rhood|camp|area|prison|hospital|branch|checkpoint|suburbs?)"


def _other_people(text: str) -> list[str]:
    """Names of people in ``text``, leaving out places ("al Kesra Prison", "al Sh-heil city")."""
    found = []
    for match in _NAME_RE.finditer(text):
        name = _trim_name(match.group(0))
        if name and not re.search(rf"\b{_PLACE_WORDS_EN}\b", name, re.I) \
                and not re.match(rf"\s+{_PLACE_WORDS_EN}\b", text[match.end():], re.I):
            found.append(name)
    return found


#: Capitalised words of an office before a name ("Syrian Defense Minister Dawood Rajha").
_TITLE_WORDS_EN = frozenset({"Syrian", "Defense", "Defence", "Interior", "Foreign", "Prime", "Minister", "Deputy", "Chief", "Former",
                             "Senior", "President", "Vice", "General", "Governor", "Mayor", "Head", "Director", "Commander", "Brigadier",
                             "Colonel", "Major", "Captain", "Lieutenant", "Sheikh", "Imam", "Father", "Bishop", "Archbishop", "Patriarch"})


_PLACE_PREFIXES_EN = frozenset({"Khan", "Tal", "Ras", "Ain", "Deir", "Kafr", "Jisr", "Albu"})


def _trim_name(raw: str) -> str | None:
    name = clean_name(raw)
    words = name.split()
    # Drop trailing words that are not part of a name ("Mohammed Ali Tuesday"); a word that only
    # begins place names ("Khan", "Tal") ends many family names ("Abbas Khan").
    while words and _NOT_NAMES.match(words[-1]) and words[-1] not in _PLACE_PREFIXES_EN:
        words.pop()
    while words and words[0].lower() in ("and", "a", "an", "the", "killing", "including"):
        words.pop(0)
    # "Syrian Defense Minister Dawood Rajha": a title of capitalised words before a given name.
    titled = False
    while len(words) > 2 and words[0] in _TITLE_WORDS_EN:
        words.pop(0)
        titled = True
    if titled and not _is_given_name_latin(words[0]):
        return None
    if len(words) < 2 or _NOT_NAMES.match(" ".join(words)) or _NOT_NAMES.match(words[0]):
        return None
    if any(w.isupper() and len(w) > 2 for w in words):
        return None
    return " ".join(words)


def _is_victim_en(mention: _Mention) -> bool:
    """Whether the cue governing the name says death (not injury, witnessing, arrest ...)."""
    sentence, start = mention.sentence, mention.start
    if not _DEATH_EN.search(sentence):
        return False
    end = start + len(mention.name)
    before = sentence[:start]
    after = sentence[end:]
    predicate = _PREDICATE.search(after[:160])
    # "A, B and C were taken to hospital wounded": the predicate's own words tell a hurt.
    hurt_predicate = predicate is not None and not _DEATH_EN.fullmatch(predicate.group(1)) \
        and _SURVIVED_EN.search(after[predicate.end():predicate.end() + 40]) is not None
    if predicate and (_NOT_DEATH_EN.fullmatch(predicate.group(1)) or hurt_predicate) and "who" not in after[:predicate.start()] \
            and not _DEATH_EN.search(after[:predicate.start()]) and not _HELD_THEN_DIED_SAME.match(after):
        return False  # "the volunteer, X, and his wife were wounded": X's own verb is a hurt
    # The clause the name is in: from the last clause break before it to the next after it.
    clause_start = max(before.rfind(";"), before.rfind(" while "), before.rfind(" whereas "))
    clause_before = before[clause_start + 1:] if clause_start >= 0 else before
    death_before = [m.end() for m in _DEATH_EN.finditer(clause_before)]
    # A capitalised "Said" inside a sentence is a name, not the verb.
    # "According to the family, X ...": a source named and closed by a comma before the name is
    # not said of the person.
    not_before = [m.end() for m in _NOT_DEATH_EN.finditer(clause_before) if not (m.start() > 0 and m.group(0)[:1].isupper())
                  and not (m.group(0).lower() == "according to" and re.match(r"[^,.;]{1,60},\s*$", clause_before[m.end():]))]
    near_after = re.split(r"[.;]|\band\b(?! (?:was|were) )", after[:160])[0] if after else ""
    # "identified as A, his son B, and C from Kafr Noran town ...; were killed": after a cue the
    # verb may come at the end of a long list.
    death_after = _DEATH_EN.search(after if mention.cued else after[:120])
    not_after = _NOT_DEATH_EN.search(near_after[:80]) if near_after else None
    if _WOUND_DIED.search(sentence):
        return True
    later = _HELD_THEN_DIED.match(after)
    if later and not _other_people(later.group(0)[:-len(later.group(1))]) \
            and not (not_before and (not death_before or not_before[-1] > death_before[-1])):
        return True  # "X was arrested by ... and tortured to death": held, then killed
    if not_after and (not death_after or not_after.start() < death_after.start()):
        if not (death_before and (not not_before or death_before[-1] > not_before[-1])):
            return False
        if re.match(r"\s*(?:,\s+)?(?:who|was|were)\s+(?:\w+\s+){0,2}(?:injur|wound)", after):
            return False
    if death_before and (not not_before or death_before[-1] > not_before[-1]):
        return True
    if death_after and (not not_after or death_after.start() < not_after.start()):
        return True
    if death_before and not_before and not_before[-1] > death_before[-1]:
        # "... killed X, while Y was injured": a not-death cue closer to the name wins,
        # unless it only introduces the item ("sources told ... that A was killed").
        between = clause_before[not_before[-1]:]
        return bool(re.search(r"\bthat\b", between)) and bool(death_after)
    return False


#: What is said after a dead person's name: died of wounds, a prayer for the dead.
_AR_DEATH_AFTER = cue("ar.death_after")
#: Words that announce the dead in a list even without a verb of dying ("أسماء الشهداء:").
_AR_LIST_DEATH = re.compile(rf"(?:{_AR_DEATH_AFTER.pattern}|الشهداء|شهداء|شهداءنا|الشهيدان|الشهيدين|الضحايا|ضحايا|القتلى|الشهيد|الشهيدة)")
#: A line that ends by announcing a list on the lines below: "أدى لاستشهاد كل من", "أسماء الشهداء:".
_AR_LIST_END = cue("ar.list_end")
#: A line of such a list: an optional number or bullet, then the name (and maybe "من أريحا").
_AR_LIST_LINE = re.compile(r"^\s*(?:[0-9\u0660-\u0669]{1,3}\s*[-_.)]\s*|[-–•*]\s*)?([\u0621-\u064A][\u0621-\u064A\s]{3,60}?)"
                           r"\s*(?:(?:\.{2,}|…)[.…]*(?:\s*[\u0621-\u064A][\u0621-\u064A\s]{0,30}\.?)?|[.،,:-]?\s*[0-9\u0660-\u0669]{1,3}\s*[\u0621-\u064A]{0,6}|[.،,]\s*[\u0621-\u064A\s]{0,25}"
                           # "- A – من مدينة نوى، منتسب إلى وزارة الدفاع.": details after a dash.
                           r"|\s+من\s+[#\w\u0621-\u064A\s]{1,40}|\s*[،,]?\s+[–—]\s+[^\n]{1,160})?\s*$")
#: A short line that is itself the heading of a list of the dead ("الشهداء", "عرف منهم :").
_AR_LIST_HEADING = cue("ar.list_heading")
#: A line naming the family the next lines belong to ("عائلة عبدالباسط رفعت النعسان").
_AR_FAMILY_LINE = cue("ar.family_line")
#: A member of that family given by first name and role ("فاطمة طفلة", "يوسف طفل").
_AR_MEMBER_LINE = re.compile(r"^\s*(?:[0-9\u0660-\u0669]{1,3}\s*[-_.)]\s*|[-–•*]\s*)?([\u0621-\u064A]+)\s+[(]?\s*(طفل|طفلة|الطفل|الطفلة|رضيع|رضيعة|زوجته|"
                             r"الزوجة|الأم|الام|الأب|الاب|والدته|والده|ابنه|ابنته|شاب|شابة)\s*[)]?\s*$")


#: "والشهداء هم:" — a list of the dead in running text, its items closed by full stops.
_AR_COLON_LIST = re.compile(r"(?<![\u0621-\u064A])[و]?(?:(?:ال)?(?:شهداء|ضحايا|قتلى|شهيدان|شهيدين)\s+(?:هم|هما)|(?:أسماء|اسماء)\s+(?:ال)?(?:شهداء|ضحايا|قتلى)|"
                            r"عرف\s+منهم(?:\s+(?:ال)?(?:أطفال|اطفال|نساء|شبان|مدنيين))?)\s*:")


def _colon_sentence_list(paragraphs: list[str]) -> list[_Mention]:
    """"والشهداء هم: العقيد A من حمص. الملازم أول B من دمشق. ...": items of a list of the dead
    that full stops or commas close, each a name (a title or rank before it, a place after
    it); the list ends at the first item that is no such name."""
    mentions: list[_Mention] = []
    for paragraph in paragraphs:
        intro = _AR_COLON_LIST.search(paragraph)
        if intro is None:
            continue
        offset = intro.end()
        for item in re.split(r"[.،,؛]", paragraph[intro.end():]):
            words = item.split()
            text = re.split(r"\s+من\s+", item.strip())[0]
            if text.startswith("و") and len(text.split()[0]) > 3 and not is_given_name(text.split()[0]):
                text = text[1:]  # "، وسهيلة رمضان": the list's "and"
            name = _trim_arabic_name(text) if words and len(words) <= 10 else None
            if not name:
                if words:
                    break
                continue
            start = paragraph.find(name.split()[0], offset)
            mentions.append(_Mention(name, f"{paragraph[:intro.end()]} {item.strip()}", paragraph, max(start, 0), arabic=True))
            offset = max(offset, start)
    return mentions


def _list_lines(paragraphs: list[str]) -> list[_Mention]:
    """Names listed one per line under a line that announces the dead ("أدى لاستشهاد كل من" then
    a name on each following line), as casualty posts on social media write them."""
    mentions: list[_Mention] = []
    for index, paragraph in enumerate(paragraphs):
        previous = paragraphs[index - 1] if index else ""
        announces = _AR_LIST_END.search(paragraph) and (_AR_LIST_DEATH.search(paragraph) or _AR_LIST_DEATH.search(previous))
        heading = _AR_LIST_HEADING.match(paragraph) and (_AR_LIST_DEATH.search(paragraph) or _AR_LIST_DEATH.search(previous))
        if not (announces or heading) or _AR_NOT_DEATH.search(paragraph[-40:]):
            continue
        family: str | None = None
        for number, line in enumerate(paragraphs[index + 1:index + 40]):
            kin = _AR_FAMILY_LINE.match(line)
            if kin:
                family = kin.group(1).split()[-1]  # the members below carry the family name
                continue
            member = _AR_MEMBER_LINE.match(line) if family else None
            if member and is_given_name(member.group(1)):
                member_name = f"{member.group(1)} {family}"
                mentions.append(_Mention(member_name, f"{paragraph} {line}", paragraph, len(paragraph) + 1, arabic=True))
                continue
            match = _AR_LIST_LINE.match(AR_QUOTES.sub(" ", line))
            text = re.split(r"\s+من\s+(?:أبناء\s+)?", match.group(1).strip())[0] if match else ""
            name = _trim_arabic_name(text) if match else None
            if name is None:
                if number == 0 and len(line.split()) <= 4:
                    continue  # a date or time line under the heading ("ليلة أمس")
                break
            mentions.append(_Mention(name, f"{paragraph} {line}", paragraph, len(paragraph) + 1, arabic=True))
    return mentions


#: Words before a name that make it someone other than the dead: the victim's father ("ابن
#: فواز ..."), a family, or a place named after a martyr ("مدرسة الشهيد ...").
_AR_NOT_VICTIM_BEFORE = {"ابن", "ابنة", "بنت", "والد", "والدة", "زوج", "زوجة", "نجل", "عائلة", "آل", "عشيرة", "أبناء", "ابناء", "مدرسة",
                         "مشفى", "مستشفى", "شارع", "ساحة", "جامع", "مسجد", "كتيبة", "لواء", "تجمع", "مخيم", "دوار", "منزل", "بيت",
                         "قال", "وقال", "أكد", "وأكد", "حسب", "بحسب", "مراسل", "مراسلنا", "مدير", "رئيس", "قائد", "المتحدث",
                         "قوات", "نظام", "حكومة", "ميليشيا", "ميليشيات", "مليشيا", "جيش", "عناصر", "مرتزقة", "حزب", "تنظيم", "فصيل",
                         "أبو", "ابو", "أم", "ام", "عين", "تل", "دير", "كفر", "جسر", "رأس", "راس", "بئر", "معرة", "خان", "قصر", "جبل", "وادي", "سهل", "مزرعة"}
#: Places and units named after a martyr ("مدرسة الشهيد باسل", "حي الشهيد عمر المختار").
_AR_PLACE_NAMED_AFTER = {"مدرسة", "مدرسه", "مشفى", "مستشفى", "شارع", "ساحة", "جامع", "مسجد", "كتيبة", "لواء", "فوج", "تجمع", "مخيم",
                         "دوار", "حي", "جامعة", "ثانوية", "روضة", "مركز", "مستوصف", "حديقة", "ملعب", "قاعة", "معهد", "جسر", "بلدة", "قرية"}
#: Given names that are also everyday words ("صباح" morning, "خلف" behind, "حكم" ruling): not
#: taken as the start of a name without a title.
_AR_AMBIGUOUS_GIVEN = {"صباح", "حياة", "حكم", "شهد", "عيد", "سلام", "نجاح", "ملك", "وعد", "رعد", "فرح", "أمل", "بدر", "كمال", "زين",
                       "ربيع", "حج", "حاج", "أبو", "ابو", "أم", "ام", "عطا", "عطية", "سلامة", "رضا", "خلف", "مطر", "نمر", "كامل",
                       "وحيد", "صقر", "عوض", "شريف", "جميل", "صادق", "فريد", "غيث", "هلال", "جهاد", "هدى", "منى", "أسماء", "حنان",
                       "صفاء", "وفاء", "ولاء", "دلال", "زهرة", "سمر", "علا", "تركية", "طالب", "مجد", "بكر", "عادل", "سالم", "منصور",
                       "وجيه"}  # "وجيه عشائري": a tribal notable
#: Kin named beside a victim ("وطفله مجد ..."): a name after them is a name even if it is also a word.
_AR_KIN = words("ar.kin")
def _begins_with_given_name(name: str) -> bool:
    """Whether a phrase starts like a person's name: a known given name, an عبد compound, or
    a kunya (أبو/أم + name)."""
    first, *rest = name.split()
    if first in ("عبد", "أبو", "ابو", "أم", "ام") and rest:
        return True
    return is_given_name(first) and first not in _AR_AMBIGUOUS_GIVEN


_AR_WORD_RE = re.compile(r"[\u0621-\u064A]+")
_AR_CHILDREN_OF = cue("ar.children_of")
#: "ما أدى إلى مقتله": the shot that hit the person named killed them, later in the sentence.
_AR_RESULT_DEATH = cue("ar.result_death")
#: "ما أدى لإصابته ومقتل اثنين من مرافقيه": the person named was wounded; the dead are others.
_AR_RESULT_HURT = cue("ar.result_hurt")
#: Their own death told after their wounds ("... لإصابته بجروح توفي على إثرها").
_AR_DIED_OF_IT = re.compile(r"(?<![\u0621-\u064A])و?(?:توفي|توفيت|فارق|فارقت|استشهد|استشهدت|لقي\s+حتفه|لقيت\s+حتفها|مات|ماتت)(?![\u0621-\u064A])")
#: "عائلة X", "ذوي X": X's family, not X — unless X is then said to have died.
_AR_FAMILY_WORDS = frozenset({"عائلة", "أسرة", "اسرة", "ذوي", "أهل", "اهل"})
_AR_REPORTED_EVENT = cue("ar.reported_event")
_AR_DEAD_RELATIVE = cue("ar.dead_relative")
_AR_REPORTING = re.compile(r"(?<![\u0621-\u064A])و?(?:أفاد|افاد|أفادت|قال|قالت|ذكر|ذكرت|صرح|أعلن|اعلن|أكد|اكد|نقل)(?![\u0621-\u064A])")
#: "الذي مازال مصابًا": the person just named is alive.
_AR_HURT_AFTER_NAME = cue("ar.hurt_after_name")


def _anchored_names(sentence: str) -> list[tuple[int, str]]:
    """Names with no title or cue before them, recognised by a given name at their start
    ("... الحدودية، سامر نوفل متأثراً بجراحه"): (offset, name) for each."""
    names: list[tuple[int, str]] = []
    words = list(_AR_WORD_RE.finditer(sentence))
    covered = -1
    for index, word in enumerate(words):
        if word.start() < covered:
            continue
        text, begin = word.group(0), word.start()
        if _and_given(text):
            text, begin = text[1:], begin + 1  # "، وعمران سليمان الحشيش": and + a given name
        previous = words[index - 1].group(0) if index else ""
        kin = _AR_HARAKAT.sub("", previous) in _AR_KIN
        # After a kin word ("زوجته مرضية راشد الرمثان") a name begins, known to the lexicon or not.
        unknown_after_kin = kin and not is_given_name(text) and text not in _AR_STOP and text not in _AR_NOT_NAME_WORDS \
            and text not in _AR_FUNCTION_WORDS and not text.startswith(("ال", "و")) and not re.search(r"(?:ه|ها|هما|هم|هن)$", text) \
            and not _AR_DEATH.fullmatch(text) and not _AR_NOT_DEATH.fullmatch(text)  # not "وأطفاله", not a verb
        if (text in _AR_AMBIGUOUS_GIVEN and not kin) or not (is_given_name(text) or unknown_after_kin):
            continue
        if previous in _AR_NOT_VICTIM_BEFORE and not (previous in _AR_FAMILY_WORDS and _dead_relative_after(sentence, begin)):
            continue
        if index and _listed_given(words[index - 1], sentence):
            # "، وعمران سليمان الحشيش": the next person of a list, whose given name the lexicon
            # lacks, begins at the word joined by و after the comma.
            begin = words[index - 1].start() + 1
        name = _trim_arabic_name(sentence[begin:begin + 80])
        if name and sentence.startswith(name.split()[0], begin):
            names.append((begin, name))
            covered = begin + len(name)
    return names


def _dead_relative_after(sentence: str, begin: int) -> bool:
    """Whether the name starting at ``begin`` is followed by "الذي ارتقى/استشهد ...": the one
    named died."""
    name = _trim_arabic_name(sentence[begin:begin + 80])
    return name is not None and bool(_AR_DEAD_RELATIVE.match(sentence, sentence.find(name, begin) + len(name)))


def _listed_given(word: re.Match[str], sentence: str) -> bool:
    """Whether ``word`` is و + an unknown word right after a comma ("، وعمران"): the given name
    of the next person in a list, when a known given name follows it."""
    text = word.group(0)
    if len(text) < 4 or not text.startswith("و") or text in _AR_WAW_NAMES or is_given_name(text):
        return False
    rest = text[1:]
    if rest.startswith("ال") or rest in _AR_STOP or rest in _AR_FUNCTION_WORDS or rest in _AR_NOT_NAME_WORDS \
            or _AR_DEATH.fullmatch(rest) or _AR_NOT_DEATH.fullmatch(rest) or _AR_SUBJECT_OF.fullmatch(rest):
        return False
    return bool(re.search(r"[،,]\s*$", sentence[:word.start()]))


def _and_given(word: str) -> bool:
    """Whether a word is "و" (and) glued to a given name ("وعمران", "ومحمد"), not a given name
    that itself begins with و ("وليد", "وائل")."""
    return (len(word) > 3 and word.startswith("و") and word not in _AR_WAW_NAMES and not is_given_name(word)
            and is_given_name(word[1:]) and word[1:] not in _AR_AMBIGUOUS_GIVEN)


def _given_chain(sentence: str, start: int, name: str) -> list[tuple[int, str]]:
    """Given names joined by و that share what follows them: "الشقيقين إبراهيم ومحمد الديك" is
    إبراهيم الديك and محمد الديك; "أحمد ومحمود أبناء خالد العلي" is أحمد خالد العلي and محمود خالد
    العلي. ``name`` is what was found at ``start``; returns (offset, name) for each person, or
    [] when the words there are not such a chain."""
    words = list(_AR_WORD_RE.finditer(sentence, start, start + 160))
    if len(words) < 3 or not is_given_name(words[0].group(0)) or not _and_given(words[1].group(0)):
        return []
    givens = [(words[0].start(), words[0].group(0))]
    index = 1
    while index < len(words) and _and_given(words[index].group(0)) and re.fullmatch(r"\s*(?:[،,]\s*)?", sentence[words[index - 1].end():words[index].start()]):
        givens.append((words[index].start() + 1, words[index].group(0)[1:]))
        index += 1
    if index >= len(words):
        return []
    rest_at = words[index - 1].end()
    parent = _AR_CHILDREN_OF.match(sentence, rest_at)
    if parent:
        # "أبناء خالد العلي": each child takes the parent's name as father and family name.
        family = _trim_arabic_name(sentence[parent.end():parent.end() + 80])
        if not family:
            return []
        return [(at, f"{given} {family}") for at, given in givens]
    family = _trim_arabic_name(f"{givens[-1][1]} {sentence[rest_at:rest_at + 80].strip()}")
    if not family or len(family.split()) < 2:
        return []
    shared = " ".join(family.split()[1:])
    return [(at, f"{given} {shared}") for at, given in givens]


def _name_lines(paragraphs: list[str]) -> list[_Mention]:
    """A line that is nothing but a name ("النقيب وائل سعيد الخلف"), the caption of a post, when
    the lines just below speak of a death before any injury ("تقبله الله")."""
    mentions: list[_Mention] = []
    for index, paragraph in enumerate(paragraphs):
        line = AR_QUOTES.sub(" ", paragraph).strip(" .،:-")
        words = line.split()
        if not 2 <= len(words) <= 6 or not all(_AR_WORD_RE.fullmatch(w) for w in words):
            continue
        name = _trim_arabic_name(line)
        titled = words[0] in _AR_TITLE_WORDS
        # Untitled, a line of two words is as likely a byline ("عدنان أحمد") as a caption.
        if not name or len(name.split()) != len(words) - (1 if titled else 0) or not (titled or is_given_name(words[0]) and len(words) >= 3):
            continue
        below = " ".join(paragraphs[index + 1:index + 4])
        death, hurt = _AR_LIST_DEATH.search(below), _AR_NOT_DEATH.search(below)
        if death and (not hurt or death.start() < hurt.start()):
            mentions.append(_Mention(name, f"{paragraph} {below[:200]}", paragraph, 0, caption=True, arabic=True))
        elif index and _continues_a_list_of_the_dead(paragraphs[index - 1]):
            # "ارتقاء A\nB\nجراء القصف": the next name of a list the line above began.
            mentions.append(_Mention(name, f"{paragraphs[index - 1]} {paragraph}", paragraph, 0, caption=True, arabic=True))
    return mentions


def _continues_a_list_of_the_dead(line: str) -> bool:
    """Whether a line tells a death and ends with the name of one of the dead ("ارتقاء احمد
    علي العامر غزلان"), so that a name alone on the line below it is the next of them."""
    death = next(reversed(list(_AR_LIST_DEATH.finditer(line))), None)  # the last death word of the line
    if death is None or _AR_HURT.search(line, death.end()):
        return False
    tail = AR_QUOTES.sub(" ", line[death.end():]).strip(" .،:-")
    words = tail.split()
    return 2 <= len(words) <= 6 and all(_AR_WORD_RE.fullmatch(w) for w in words) and _trim_arabic_name(tail) is not None \
        and is_given_name(re.sub(r"^(?:ال\S+\s+)?", "", tail).split()[0])


def _ar_quoted(sentence: _Sentence) -> None:
    """A name in quotation marks or brackets ("امرأة مسنّة (عريفة حيدر جمو)"): the marks say it
    is a name even when the lexicon does not know its given name. Quotes also mark
    organisations ("تجمع أحرار حوران"): a person is known by a given name the lexicon has, or
    by a person noun or kin word right before the quote."""
    for text in sentence.quoted:
        at = sentence.text.find(text)
        name = _trim_arabic_name(text) if at >= 0 else None
        before_quote = {_AR_HARAKAT.sub("", w) for w in sentence.text[:max(at, 0)].split()[-2:]}
        is_person = _begins_with_given_name(text) or bool(before_quote & (_AR_ANY_TITLE_WORDS | _AR_PERSON_NOUNS | _AR_KIN))
        if name and is_person and len(name.split()) == len(text.split()):
            sentence.put(at, name)


def _ar_titled_or_after_death(sentence: _Sentence) -> None:
    """"الطفل X", "استشهاد الشاب X": a name after a title, or after a verb of dying when a title
    stands between or the name starts with a known given name ("مقتل سائق صهريج" is no name)."""
    for pattern in (_AR_TITLED, _AR_AFTER_DEATH):
        group = pattern.groups  # the name is the last group (the verb of dying has its own)
        for match in pattern.finditer(sentence.text):
            name = _trim_arabic_name(match.group(group))
            if not name or sentence.near(match.start(group)) is not None:
                continue
            lead = sentence.text[match.start():match.start(group)].split()
            if pattern is _AR_AFTER_DEATH and not _AR_ANY_TITLE_WORDS.intersection(lead[1:]) \
                    and not _begins_with_given_name(name):
                continue  # "مقتل سائق صهريج", "وخسائر بممتلكات السكان": words after a death word, not a name
            sentence.put(match.start(group), name)


def _ar_called(sentence: _Sentence) -> None:
    """"يدعى X", "المدعو X"."""
    for match in _AR_CALLED.finditer(sentence.text):
        name = _trim_arabic_name(match.group(1))
        if name:
            sentence.put(match.start(1), name)


def _ar_list_after_intro(sentence: _Sentence) -> None:
    """Lists introduced by "وهم" / "هم" / ":" after a death word: "مقتل خمسة أطفال من عائلة
    واحدة وهم A و B و C"; a piece is a name when it starts with a given name or a title, or
    when the list names as many people as the words before it count ("مقتل شخصين ... هما A
    وB": صابر سنجار الفهد is a name though صابر is not on the given-name lexicon)."""
    text = sentence.text
    for intro in _AR_LIST_INTRO.finditer(text):
        if not _AR_LIST_DEATH.search(text[:intro.start()]):
            continue
        counted = _people_counted(text[max(0, intro.start() - 50):intro.start()]) \
            if intro.group(0).strip() in ("هما", "وهما", "هم", "وهم", "هن", "وهن") else None
        if counted is None and intro.group(0).strip() in ("هما", "وهما"):
            counted = 2  # "الضحايا هما A وB": the dual pronoun itself counts two
        offset = intro.end()
        pieces: list[tuple[int, str, bool]] = []  # (where, name, known by its first word)
        for piece in re.split(r"(\s+و\s*(?=[\u0621-\u064A])|،|,)", text[offset:offset + 600]):
            start = text.find(piece, offset)
            offset = max(offset, start + len(piece)) if start >= 0 else offset
            separator = not piece or piece.strip() in ("و", "،", ",", "")
            name = _trim_arabic_name(piece.strip(' "“”«»')) if not separator else None
            if name and start >= 0:
                known = _begins_with_given_name(name) or bool(_AR_TITLE_WORDS.intersection(piece.split()[:1]))
                pieces.append((start, name, known))
            elif not separator and pieces:
                break  # "A وB، شابان قاصران ...": the list ended at the first piece that names nobody
        # "أضرار مادية", "استهدف منزلا سكنيا": a list of what happened, not who.
        unknown_allowed = counted is not None and len(pieces) == counted
        for number, (start, name, known) in enumerate(pieces):
            # "وB، طفل يبلغ من العمر 15 عاماً، أُصيب بجروح": the piece's own words tell a hurt.
            end = pieces[number + 1][0] if number + 1 < len(pieces) else min(len(text), start + len(name) + 120)
            own = text[start + len(name):end]
            if _AR_HURT.search(own) and not _AR_DEATH.search(own):
                continue
            if known or unknown_allowed:
                sentence.put(start, name)


#: The people a list introduced by "هما" / "وهم" counts: two by a dual noun ("شخصين",
#: "طفلان"), else a number before a plural one ("ثلاثة مدنيين", "3 أشخاص").
_AR_DUAL_PEOPLE = re.compile(
    r"(?<![\u0621-\u064A])(?:ال)?(?:شخصين|شخصان|مدنيان|طفلين|طفلان|طفلتين|طفلتان|شابين|شابان|رجلين|رجلان|امرأتين|امرأتان|سيدتين|"
    r"سيدتان|مواطنان|شقيقين|شقيقان|شهيدين|شهيدان|قتيلين|قتيلان|عاملين|عاملان)(?![\u0621-\u064A])")
_AR_PLURAL_PEOPLE = re.compile(
    rf"({NUMBER_AR})\s+(?:من\s+)?(?:ال)?(?:أشخاص|اشخاص|مدنيين|مدنيا|أطفال|اطفال|شبان|رجال|نساء|سيدات|مواطنين|عمال|شهداء|قتلى|أفراد|افراد|"
    r"أشقاء|اشقاء|إخوة|اخوة)(?![\u0621-\u064A])")


def _people_counted(words: str) -> int | None:
    """How many people ``words`` count, if they do."""
    if _AR_DUAL_PEOPLE.search(words):
        return 2
    plural = _AR_PLURAL_PEOPLE.search(to_ascii_digits(words))
    return parse_number(plural.group(1)) if plural else None


def _ar_anchored(sentence: _Sentence) -> None:
    """Names with no cue before them, known by the given name at their start."""
    for start, name in _anchored_names(sentence.text):
        if not any(s - 6 < start < s + len(m.name) for s, m in sentence.found.items()):
            sentence.found[start] = _Mention(name, sentence.text, sentence.paragraph, start, arabic=True)
            sentence.anchored.add(start)


def _ar_joined_by_waw(sentence: _Sentence) -> None:
    """"استشهاد المواطنين آزاد حسن خليل وشيار بكر", "الشابان X وY": a second name joined by و;
    "X وبنته ريماس": a kin word says a person is named, who carries X's family name."""
    text, found = sentence.text, sentence.found
    pending = sorted(found.items())
    while pending:
        # A name joined to one just found is looked at too: "A و B و C".
        start, mention = pending.pop(0)
        end = text.find(mention.name, start)
        if end < 0:
            continue
        child = _AR_AND_CHILD.match(text, end + len(mention.name))
        # The kin word says a person is named: the given name need not be on the lexicon.
        if child and len(mention.name.split()) >= 2 and child.group(1) not in _AR_STOP \
                and child.group(1) not in _AR_NOT_NAME_WORDS and child.group(1) not in _AR_FUNCTION_WORDS:
            found[child.start(1)] = _Mention(f"{child.group(1)} {mention.name.split()[-1]}", text, sentence.paragraph,
                                             child.start(1), arabic=True)
            continue
        follow = _AR_AND_NAME.match(text, end + len(mention.name))
        if follow:
            second = _trim_arabic_name(follow.group(1))
            if second and sentence.near(follow.start(1)) is None:
                sentence.put(follow.start(1), second)
                pending.append((follow.start(1), found[follow.start(1)]))


def _ar_drop_nested(sentence: _Sentence) -> None:
    """"حسن الدباغ" found inside "عبد الله حسن الدباغ" is not a second person."""
    found = sentence.found
    for start in list(found):
        if any(other < start < other + len(m.name) for other, m in found.items() if other != start):
            del found[start]


def _ar_given_chains(sentence: _Sentence) -> None:
    """Given names joined by و before one family name ("أبناء X"): one person each."""
    found = sentence.found
    for start, mention in sorted(found.items()):
        chain = _given_chain(sentence.text, start, mention.name)
        if chain:
            del found[start]
            for at, person in chain:
                found[at] = _Mention(person, sentence.text, sentence.paragraph, at, arabic=True)


#: The Arabic sentence shapes, in the order they read a sentence (see :class:`_Sentence`);
#: the last three revise what the first found.
_AR_STAGES: tuple[Callable[[_Sentence], None], ...] = (
    _ar_quoted,
    _ar_titled_or_after_death,
    _ar_called,
    _ar_list_after_intro,
    _ar_anchored,
    _ar_joined_by_waw,
    _ar_drop_nested,
    _ar_given_chains,
)


def _arabic_mentions(paragraphs: list[str]) -> list[_Mention]:
    # In order of appearance (a set's order changes from run to run, and with it which of two
    # overlapping quotes is read first).
    quoted = tuple(dict.fromkeys(q for p in paragraphs for q in quoted_spans(p)))
    paragraphs = [clean_arabic_paragraph(p) for p in paragraphs]
    mentions: list[_Mention] = _list_lines(paragraphs) + _name_lines(paragraphs) + _colon_sentence_list(paragraphs)
    previous = ""
    paragraphs = _join_run_on_lists(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        sentences = split_sentences(paragraph)
        for number, text in enumerate(sentences):
            told_next = number + 1 < len(sentences) and bool(_AR_PRONOUN_DEATH.match(sentences[number + 1]))
            tells_death = bool(_AR_LIST_DEATH.search(text))
            # Only a sentence that hurts someone and tells no death looks at the next one.
            died_later = not tells_death and bool(_AR_HURT.search(text)) and _died_in_next(sentences, number, paragraphs, index)
            earlier, previous = previous, text
            if not tells_death and not told_next and not died_later:
                mentions.extend(_called_back(text, paragraph, earlier) or _attacked_after_death(text, paragraph, paragraphs, index,
                                                                                                 earlier, quoted)
                                or _titled_then_died(text, paragraph, partial(_next_sentence, sentences, number, paragraphs, index)))
                continue
            sentence = _Sentence(text, paragraph, paragraphs, index, arabic=True, window=6, quoted=quoted)
            for stage in _AR_STAGES:
                stage(sentence)
            found = sorted(sentence.found.items())
            ordinal = _AR_ORDINAL_DEATH.search(text)
            if ordinal and len(found) == 2 and ordinal.start() > found[1][0]:
                # The two named, then "the first" or "the second" died: that one alone.
                mentions.append(found[0 if ordinal.group(1) in ("الأول", "الاول", "الأولى", "الاولى") else 1][1])
                continue
            together = _named_before_shared_death(text, found)
            mentions.extend(m for start, m in found
                            if m in together or _is_victim_ar(text, start, m, anchored=start in sentence.anchored, told_next=told_next,
                                                              died_later=died_later and len(found) == 1))
            if not found and _AR_DEATH_OF_QUOTED.search(text):
                mentions.extend(_given_name_called_back(text, paragraph, "\n".join(paragraphs[:index + 1])))
    return mentions


#: A verb of dying in the dual or plural after the names it is said of ("إن كلا من المسن A، و المسن
#: B، وهما مدنيان ...، قتلا أمس"); an active "قتلا/قتلوا" has an object after it.
_AR_SHARED_DEATH = cue("ar.shared_death_after")


def _named_before_shared_death(text: str, found: list[tuple[int, _Mention]]) -> list[_Mention]:
    """The names a dual or plural verb of dying says died: the two (dual) or the run of names
    (plural) just before it, none of them hurt in between."""
    verb = _AR_SHARED_DEATH.search(text)
    if verb is None:
        return []
    before = [(start, m) for start, m in found if start + len(m.name) <= verb.start()]
    run: list[tuple[int, _Mention]] = []
    limit = verb.start()
    for start, mention in reversed(before):
        gap = text[start + len(mention.name):limit]
        if len(gap) > 140 or _AR_HURT.search(gap) or _AR_DEATH.search(gap):
            break
        run.insert(0, (start, mention))
        limit = start
    dual = verb.group(0).endswith(("ا", "هما", "الحياة")) and not verb.group(0).endswith(("وا",))
    if len(run) < 2:
        return []
    return [m for _, m in (run[-2:] if dual else run)]


def _titled_then_died(text: str, paragraph: str, next_sentence: Callable[[], str]) -> list[_Mention]:
    """"إن الطفل “يزن حاج باكير” كان يساعد جده ... . وأضاف أن الطفل أصيب برصاصة ... إذ فقد حياته":
    the one person a sentence names with a title, whose death the next sentence tells of the
    same title noun, with no one else named there. ``next_sentence`` is asked only when this
    sentence names one titled person (most sentences name none)."""
    titled = list(_AR_TITLED.finditer(text))
    if len(titled) != 1:
        return []
    following = next_sentence()
    if not following or any(_trim_arabic_name(m.group(1)) for m in _AR_TITLED.finditer(following)):
        return []
    match = titled[0]
    noun = re.sub(r"^[وب]?(?:ال|لل)", "", match.group(0).split()[0])
    name = _trim_arabic_name(match.group(1))
    said = re.search(rf"(?<![\u0621-\u064A])[وب]?(?:ال|لل){re.escape(noun)}(?![\u0621-\u064A])", following)
    if not name or not said or not _AR_DEATH.search(following, said.end()):
        return []
    return [_Mention(name, f"{text} {following}", paragraph, match.start(1), arabic=True)]


_AR_ATTACKED = cue("ar.attacked_after_death")


def _attacked_after_death(text: str, paragraph: str, paragraphs: list[str], index: int, earlier: str,
                          quoted: tuple[str, ...]) -> list[_Mention]:
    """"قتل قيادي سابق ... . إن مجهولين استهدفوا القيادي السابق X في حين أصيب الشاب Y": the one
    an attack is told on, named right after a sentence that told a death, before anyone hurt."""
    attacked = _AR_ATTACKED.search(text)
    if attacked is None or not _AR_DEATH.search(earlier) or _AR_HURT.search(text[:attacked.start()]):
        return []
    sentence = _Sentence(text, paragraph, paragraphs, index, arabic=True, window=6, quoted=quoted)
    for stage in _AR_STAGES:
        stage(sentence)
    hurt = _AR_HURT.search(text, attacked.end())
    end = hurt.start() if hurt else len(text)
    def plausible(name: str, at: int) -> bool:
        between = text[attacked.end():at]
        where = resolve_place(name)
        return not re.search(r"[،,.:؛]", between) and where.is_empty() and not re.search(
            r"(?:^|\s)[وب]?(?:مدينة|مدينتي|بلدة|بلدتي|قرية|قريتي|حي|منطقة|طريق|ريف)\s*$", between)

    after = [m for start, m in sorted(sentence.found.items())
             if attacked.start() < start < end and start - attacked.end() < 80 and plausible(m.name, start)]
    if after:
        return after[:1]
    # "استهدفوا القيادي السابق في الجيش الحر طراد تركي الشحادات": the first name that begins with
    # a given name, a few words on (past the title and what qualifies it).
    words = list(re.finditer(r"\S+", text[attacked.end():end]))[:10]
    for number, word in enumerate(words):
        if re.search(r"[،,.:؛]", word.group(0)):
            break  # the attack's own words end at a comma
        at = attacked.end() + word.start()
        name = _trim_arabic_name(text[at:at + 80])
        titled = any(w.group(0) in _AR_ANY_TITLE_WORDS for w in words[:number])
        if name and (is_given_name(name.split()[0]) or titled or name in quoted) and plausible(name, at):
            return [_Mention(name, text, paragraph, at, arabic=True)]
    return []


def _next_sentence(sentences: list[str], number: int, paragraphs: list[str], index: int) -> str:
    """The sentence after ``sentences[number]``: the next of its paragraph, or the first of the
    next paragraph, or ``""``."""
    if number + 1 < len(sentences):
        return sentences[number + 1]
    return next(iter(split_sentences(paragraphs[index + 1])), "") if index + 1 < len(paragraphs) else ""


def _died_in_next(sentences: list[str], number: int, paragraphs: list[str], index: int) -> bool:
    """Whether the sentence after ``sentences[number]`` (in its paragraph, or at the head of the
    next one) says, with no subject and no one else, that someone died («وتوفي بعد لحظات»)."""
    following = _AR_HARAKAT.sub("", _next_sentence(sentences, number, paragraphs, index))
    return bool(_AR_DIED_LATER.search(following)) and not _AR_OTHERS.search(following)


#: A death word, maybe a title, then one word alone before a comma or closing quote (cleaning
#: turns quotes around a name into spaces and a comma: «مقتل الشاب "قاسم"» reads «مقتل الشاب  قاسم ،»).
_AR_DEATH_OF_QUOTED = re.compile(rf"(?:{_AR_DEATH.pattern})\s+(?:(?:{_AR_TITLES})\s+)?(?:،\s*)?(?P<given>{_AR_WORD})\s*[،,]")


def _given_name_called_back(sentence: str, paragraph: str, so_far: str) -> list[_Mention]:
    """"أمام الشابين "قاسم محمد المصري، وبهاء إبراهيم المصري" ... . أسفرت عن مقتل الشاب "قاسم"
    وإصابة "بهاء"": a death told of a given name alone, in quotes, is the death of the one person
    the item named in full with that given name before (none or two such names: nobody)."""
    found: list[_Mention] = []
    for match in _AR_DEATH_OF_QUOTED.finditer(sentence):
        given = match.group("given")
        if not is_given_name(given) or _AR_HURT.search(sentence, match.start(), match.start("given")):
            continue
        # "A، وB": a name after «و» counts too.
        full = {name for m in re.finditer(rf"(?<![\u0621-\u064A])[وب]?({re.escape(given)}(?:\s+{_AR_WORD}){{1,4}})", so_far)
                if (name := _trim_arabic_name(m.group(1))) and len(name.split()) >= 2 and name.split()[0] == given}
        if len(full) == 1:
            found.append(_Mention(full.pop(), sentence, paragraph, match.start("given"), arabic=True))
    return found


def _join_run_on_lists(paragraphs: list[str], cues: tuple[re.Pattern[str], re.Pattern[str]] | None = None) -> list[str]:
    """A line that announces a list of the dead ("ما أدى إلى مقتل ثلاثة مدنيين، وهم:", "Three
    civilians were killed in the raid:") joined to the line under it when that line runs the
    names together with commas ("A، وابنه B، وC، في حادثة ...", "A, his son B, and C."), so the
    sentence stages read them as the one sentence they are. A list with one name a line is read
    by :func:`_list_lines` (:func:`_english_list_lines`) and left as it is. ``cues``: the list
    end and the death cue (Arabic by default)."""
    list_end, death = cues or (_AR_LIST_END, _AR_LIST_DEATH)
    joined: list[str] = []
    skip = False
    for index, paragraph in enumerate(paragraphs):
        if skip:
            skip = False
            continue
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        first = split_sentences(following)[0] if following else ""
        if list_end.search(paragraph) and re.search(r"[،,]", first) and death.search(paragraph):
            joined.append(f"{paragraph} {following}")
            skip = True
        else:
            joined.append(paragraph)
    return joined


def _called_back(sentence: str, paragraph: str, earlier: str) -> list[_Mention]:
    """"قتلت امرأة مسنة ... . المرأة المسنة تدعى X": a sentence without a death word that names,
    with يدعى/تدعى, the person the sentence before it said was killed, by the same noun."""
    found: list[_Mention] = []
    for match in _AR_CALLED.finditer(sentence):
        words = sentence[:match.start()].split()
        name = _trim_arabic_name(match.group(1))
        if not words or not name:
            continue
        noun = re.sub(r"^و?ال", "", words[0])
        noun = "امرأة" if noun == "مرأة" else noun  # المرأة is the article on امرأة
        death = _AR_DEATH.search(earlier)
        if death and re.search(rf"(?<![\u0621-\u064A]){re.escape(noun)}(?![\u0621-\u064A])", earlier[death.end():death.end() + 40]):
            found.append(_Mention(name, f"{earlier} {sentence}", paragraph, match.start(1), arabic=True))
    return found


#: A passive verb of hurt: the person was wounded ("أُصيب بجروح"), not killed.
_AR_OWN_HURT = re.compile(r"(?<![\u0621-\u064A])[و]?(?:أصيب|أصيبت|اصيب|اصيبت|جرح|جرحت)(?![\u0621-\u064A])")
#: An attempt on a life right before a name: "حاول عناصر الميليشيا قتل X", "محاولة اغتيال X".
_AR_ATTEMPT_BEFORE = re.compile(r"(?<![\u0621-\u064A])[وف]?(?:حاول|حاولوا|حاولت|محاولة|محاولات|لمحاولة|بمحاولة)\s+(?:[\u0621-\u064A]+\s+){0,3}?"
                                r"(?:قتل|اغتيال|اغتيل|تصفية|خطف)\s*[\"“”«]?\s*$")
#: A place word right before a name makes it a place's ("بقرية “تل جمال”", "في حي “الشهيد ...”").
_AR_PLACE_BEFORE = re.compile(r"[وبل]?(?:ال)?(?:قرية|بلدة|مدينة|حي|منطقة|ناحية|مخيم|بلدتي|قريتي|مدينتي|شارع|دوار|جامع|مسجد|مدرسة|مزرعة)")
#: A word of an armed group right before a name makes it the group's ("الجيش الوطني (سليمان شاه)").
#: ("اللواء X" is a rank, a person's title, not a brigade.)
_AR_GROUP_BEFORE = re.compile(r"[وبل]?(?:(?:ال)?(?:ميليشيا|مليشيا|فصيل|فصائل|فرقة|كتيبة|الجيش|جيش|فيلق|حركة|تنظيم|الوطني|تجمع)|لواء)")


def _is_victim_ar(sentence: str, start: int, mention: _Mention, *, anchored: bool, told_next: bool,
                  died_later: bool = False) -> bool:
    """The death-or-injury verdict for an Arabic name at ``start`` of ``sentence``: not when the
    words before it make it someone else (a father, a place named after a martyr, a speaker,
    one who visits); yes when the nearest cue before it is a death rather than a hurt, when a
    death is said right after it, when it was hurt and then died, or when the next sentence
    tells its death with a pronoun. ``anchored`` names (found by a given name alone) must
    stand close to their death. ``died_later``: this sentence names one person, hurt, and the
    next says, with no subject, that the hurt person died."""
    before = sentence[:start]
    words_before = [_AR_HARAKAT.sub("", w) for w in before.split()[-2:]]
    end = start + len(mention.name)
    if _AR_ALIAS_BEFORE.search(before[-40:]):
        return False  # "عصام الزعبي المعروف بـ"عصام الشمخة"": one person, already named
    if _AR_ATTEMPT_BEFORE.search(before[-80:]):
        return False  # "حاول عناصر الميليشيا قتل “أنس حوا”": an attempt on a life, not a death
    if words_before and (_AR_PLACE_BEFORE.fullmatch(words_before[-1]) or (
            len(words_before) == 2 and words_before[-1] in _AR_ANY_TITLE_WORDS | {"الشيخ"} and _AR_PLACE_BEFORE.fullmatch(words_before[0]))):
        return False  # "بقرية “تل جمال” بريف ديرك", "من بلدة الشيخ سعد": a village, not a person
    if words_before and _AR_GROUP_BEFORE.fullmatch(words_before[-1]):
        return False  # "ميليشيا الجيش الوطني (سليمان شاه العمشات)": a faction's name
    if words_before and words_before[-1] in _AR_FAMILY_WORDS and _AR_DEAD_RELATIVE.match(sentence, end):
        return True  # "اعتقال عائلة X الذي ارتقى بغارة": X is the one who died
    if _AR_REPORTED_EVENT.match(sentence, end) and _AR_REPORTING.search(before):
        return False  # "أفاد مراسلنا في حلب، X، بمقتل ...": the reporter
    # "ابن X", "مدرسة الشهيد X", "حي الشهيد X": someone else, or a place named after a martyr.
    if words_before and (words_before[-1] in _AR_NOT_VICTIM_BEFORE - {"قال", "وقال"} or (
            len(words_before) == 2 and words_before[-1] in _AR_TITLE_WORDS and words_before[0] in _AR_PLACE_NAMED_AFTER)):
        return False
    if _AR_SPEAKER.search(before) or _AR_SUBJECT_OF.match(sentence, start + len(mention.name)):
        return False
    if words_before and _AR_SUBJECT_OF.fullmatch(re.sub(r"^و", "", words_before[-1])):
        return False  # "ويتفقد نبيل الصالح منزل جاره": the one who visits
    if _AR_HURT_AFTER_NAME.match(sentence, end):
        return False  # "مع الشاب X الذي مازال مصابًا": alive
    # "وناصر الخلف، طفل يبلغ من العمر 15 عاماً، أُصيب بجروح": the name's own verb, after what
    # describes it and before the next person, is a hurt.
    own = re.split(r"،\s*و|\.\s|\sو(?=[\u0621-\u064A])|[،,]\s*(?:كما|بينما|في\s+حين|فيما|حيث|ثم|إضافة|اضافة)(?![\u0621-\u064A])",
                   sentence[end:end + 120])[0]
    if _AR_OWN_HURT.search(own) and not _AR_DEATH.search(own) and not re.search(r"متأثر|متاثر|التي\s+أصيب|التي\s+اصيب", own):
        return False  # (but "توفي X متأثرا بجراحه التي أصيب بها": the wounds he died of)
    own_hurt = _AR_RESULT_HURT.search(sentence, end, end + 300)
    if own_hurt and not died_later and not _AR_RESULT_DEATH.search(sentence, end, end + 300) and not _AR_DIED_OF_IT.search(sentence, own_hurt.end()):
        return False  # "استهدفت X ... ما أدى لإصابته ومقتل اثنين من مرافقيه": X was wounded
    death = [m.end() for m in _AR_LIST_DEATH.finditer(before)]
    # "اغتيال عنصرين وإصابة آخر ... هما: A، B": the injury is someone else's.
    # But "وإصابة شخص آخر يدعى X": the other hurt is the one this "يدعى" names.
    not_death = [m.end() for m in _AR_HURT.finditer(before) if not (others := _AR_OTHERS.match(before, m.end()))
                 or re.fullmatch(r"\s*(?:يدعى|تدعى|يدعي|تدعي|اسمه|اسمها)\s*", before[others.end():])]
    after_death = _AR_DEATH_AFTER.search(sentence[start:start + 90])
    # A name found only by its given name must stand close to the death it is in.
    if anchored:
        death = [d for d in death if start - d <= 150]
    if (death and (not not_death or death[-1] > not_death[-1])) or (after_death and not not_death):
        return True
    if not not_death and _AR_HURT_THEN_DIED.match(sentence, start + len(mention.name)):
        return True  # "X، ...، أصيب في ضربة ...، وقتل بعد إسعافه"
    result = _AR_RESULT_DEATH.search(sentence, end, end + 300)
    if result and not not_death and not _AR_HURT.search(sentence, end, result.start()):
        return True  # "أطلقوا النار على الشاب X من قرية ...، ما أدى إلى مقتله"
    if died_later and not anchored:
        return True  # "أطلقت النار على الشاب X ... ما أدى إلى إصابته. ... وتوفي بعد لحظات"
    return told_next and not anchored and not not_death and not _AR_HURT.search(sentence[start:])


#: Words that describe people rather than name them ("امرأة حامل", "طفلين صغيرين", "ثلاثة
#: عمال إغاثة"): a phrase with one of them is not a name.
_AR_NOT_NAME_WORDS = {
    "امرأة", "امراة", "امرأتين", "امرأتان", "نساء", "رجل", "رجلين", "رجلان", "رجال", "طفل", "طفلة", "طفلين", "طفلان", "أطفال", "اطفال",
    "طفلتين", "شخص", "شخصين", "شخصان", "أشخاص", "اشخاص", "مدني", "مدنية", "مدنيين", "مدنيان", "مدنيا", "عنصر", "عناصر", "جندي",
    "جنود", "مقاتل", "مقاتلين", "عامل", "عمال", "عاملين", "إصابة", "اصابة", "مقتل", "قتلى", "ضحايا", "ضحية", "حامل", "صغير", "صغيرة",
    "صغيرين", "صغيران", "آخرين", "اخرين", "آخرون", "أفراد", "افراد", "عائلة", "أسرة", "اسرة", "إغاثة", "اغاثة", "فتى", "فتاة", "شاب",
    "شابين", "شبان", "سيدة", "سيدتين", "مسن", "مسنة", "رضيع", "رضيعة", "واحد", "واحدة", "اثنين", "اثنان", "ثلاثة", "ثلاث", "أربعة",
    "اربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة", "جميع", "كافة", "بعض", "عدد", "المدنيين", "الأطفال", "الاطفال", "النساء",
    "أصيب", "اصيب", "جرح", "أعداد", "اعداد", "كبيرة", "كبير", "مسؤول", "نعم", "الوكيل", "ونفوق", "نفوق", "المواطنين", "هناك", "يكون",
    "نائب", "نائبة", "الرئاسة", "دورية", "رئيسة", "عضو", "عضوة", "الرئيس", "شهداء", "الشهداء", "شهيد", "شهيدة",
    "آخر", "اخر", "أخرى", "اخرى", "مجهول", "مجهولة", "مجهولي", "الهوية", "الخبر", "منقول", "منقولة", "نقلا",
    # The dead and the hurt as nouns ("تنتشل القتلى وتسعف الجرحى": rescuers at work, no names).
    "القتلى", "الجرحى", "جرحى", "الضحايا", "القتيل", "الجريح", "جريح", "مصاب", "المصاب", "مصابين", "الشهيد",
    # Places and bodies around a name ("السيدة زينب ومحيط الفرقة الأولى", "مالك شركة الفضل").
    "شابان", "قاصر", "قاصرين", "قاصران", "قاصرا", "محيط", "ومحيط", "بمحيط", "شركة", "لشركة", "مؤسسة", "منظمة", "مكتب", "مشفى", "مستشفى", "جامعة", "الفرقة", "فرقة", "طريق", "مدير", "مديرة", "رئيس", "حزب", "هيئة", "مجزرة", "مضافة", "منفذ", "منفذي", "مرتكب", "قاتل", "المتهم",
}
_AR_HARAKAT = re.compile(r"[\u064B-\u0652\u0670\u0640]")
#: Function words and verbs that never stand in a name: a phrase with one is prose.
_AR_FUNCTION_WORDS = {
    "الذين", "الذي", "التي", "اللذين", "اللذان", "اللتين", "تحاول", "يحاول", "لا", "ما", "لم", "لن", "قد", "تم", "هو", "هي", "هم", "هن", "هما", "وهما", "وهم", "أدى", "ادى", "أسفر",
    "اسفر", "عظم", "اجركم", "أجركم", "بهجوم", "فرقة", "لذويهم", "ذنب", "لهم", "عاشرة", "وضحية", "ضحية", "نتمكن", "كان", "كانت",
    "هذا", "هذه", "ذلك", "تلك", "إن", "ان", "أنه", "انه", "بأن", "بان", "حتى", "ثم", "لقد", "وقد", "إذ", "اذ", "عليه", "عليها", "فيه", "فيها",
    "ليس", "وليس", "أحد", "احد", "إحدى", "احدى", "قيادة", "راعي", "معارض", "أغنام", "اغنام", "المصابين", "عملية", "بعملية", "إنزال", "انزال",
    "مواطن", "مواطنة", "مواطنين", "ولا", "لأي", "لاي", "أي", "اي", "لو", "انو", "الي", "يجي", "العديد", "جهة", "حسبي", "فسيح", "ضحيتها", "ضحيته", "حياته", "حياتها", "حياتهما", "حياتهم",
    "عندما", "بينما", "حينما", "بعدما", "كلما", "حيث", "لكن", "لكنه", "لكنها", "كما", "وكما", "عند", "خلال", "كانا", "كانوا",
}
#: Kinship and descriptive words that may stand before a name ("والده نواف ..."): dropped.
_AR_LEADING = {"والده", "والدته", "ابنه", "ابنته", "زوجته", "زوجها", "شقيقه", "شقيقته", "وابنه", "وابنته", "ووالده", "ووالدته",
               "وزوجته", "وشقيقه", "وشقيقته", "أخيه", "اخيه", "أخته", "اخته", "يدعى", "تدعى", "يدعي", "تدعي", "المدعو", "المدعوة",
               "اسمه", "اسمها", "واسمه", "واسمها", "بنته", "وبنته", "بنتها", "وبنتها", "ولده", "وولده", "ولدها", "وولدها",
               "البطل", "البطلة", "ابنهما", "وابنهما", "ابنتهما", "وابنتهما", "طفلهما", "وطفلهما", "طفلتها", "وطفلتها", "نجلها", "ونجلها",
               "طفلتهما", "وطفلتهما", "رفيقه", "ورفيقه", "رفيقها", "ورفيقها", "صديقه", "وصديقه", "مرافقه", "ومرافقه"}  # "الشهيد البطل X": an epithet between the title and the name
_AR_TITLE_WORDS = set(_AR_TITLES.split("|"))
#: Nouns and descriptions of a person that may stand before a quoted name ("امرأة مسنّة (X)").
_AR_PERSON_NOUNS = {"امرأة", "مسنة", "مسن", "رجل", "طفل", "طفلة", "شاب", "شابة", "سيدة", "فتى", "فتاة", "مدني", "مدنية", "المدعو",
                    "المدعوة", "يدعى", "تدعى", "عجوز", "مسنّة", "الشابين", "الطفلين", "والشاب", "والطفل", "والطفلة", "والسيدة"}
#: Every title, with or without the article ("الشاب", "شاب").
_AR_ANY_TITLE_WORDS = _AR_TITLE_WORDS | set(_AR_BARE_TITLES.split("|"))


#: "X وY", "X، وY", and the closing quote turned comma: «“X” و “Y”» reads «X ، و  Y».
_AR_AND_NAME = re.compile(rf"\s*(?:،\s*)?و\s*(?:(?:{_AR_TITLES})\s+)?({_AR_NAME})")
#: Names that begin with و, which must not be read as "and" + a name.
_AR_WAW_NAMES = {"وليد", "وائل", "وضاح", "وسيم", "وفاء", "وعد", "وسام", "ولاء", "وداد", "وجيه", "وحيد", "وديع", "وصفي", "وهيب", "وفيق",
                 "ورد", "وردة", "وجدان", "وصال", "وطفة", "وضحى", "وهبي", "ولات", "وزير"}


#: Words that make one name part with the word after them ("عبد الرزاق", "أبو صقر", "الشيخ عيسى",
#: "بن علي"): they do not count towards the four parts a name is read to.
_AR_JOINING = frozenset({"بن", "ابن", "بنت", "عبد", "العبد", "أبو", "ابو", "أم", "ام", "الشيخ", "آل"})


def _trim_arabic_name(raw: str) -> str | None:
    words: list[str] = []
    pieces = raw.split()
    while pieces and (pieces[0] in _AR_TITLE_WORDS or _AR_HARAKAT.sub("", pieces[0]) in _AR_LEADING):
        pieces = pieces[1:]
        if pieces and pieces[0] in ("أول", "اول", "ثاني", "أولى", "اولى"):
            pieces = pieces[1:]  # "الملازم أول A": the rank's degree
    for position, word in enumerate(pieces):
        if word in _AR_DAY_PART and position + 1 < len(pieces) and pieces[position + 1] in _AR_DAY:
            break  # "عصام محمد الزعبي مساء أمس": the time of death, not a name part
        glued = re.match(r"^([\u0621-\u064A\u064B-\u0652\u0640]+)[^\u0621-\u064A\s]+$", word)
        if glued and not re.search(r"[0-9\u0660-\u0669]", word):
            word, last = glued.group(1), True  # "النعسان،": punctuation closes the name
        elif not re.fullmatch(r"[\u0621-\u064A\u064B-\u0652\u0640]+", word):
            break  # a comma, a dash or a figure between words ends the name
        else:
            last = False
        if word in _AR_STOP or word in _AR_AFTER_NAME or word in _AR_DESCRIBING or re.match(r"^(و?(?:بال|لل|ال|ب|ل)?(قصف|رصاص|انفجار|غارة|شظايا|شظية|قذيفة|قذائف|صاروخ|لغم|عبوة|إطلاق|اطلاق))", word):
            break
        if _AR_SUBJECT_OF.fullmatch(word):
            break  # "محمد العلي يدين ...": the verb ends the name (and makes it a speaker's)
        if _AR_DEATH.fullmatch(word) or _AR_NOT_DEATH.fullmatch(word) or re.fullmatch(r"و?(اعتقال|اعتقل|أصيب|اصيب)", word):
            break  # "... الجخاني قتل": the verb ends the name
        if re.search(r"[0-9\u0660-\u0669\u06F0-\u06F9]", word):
            break  # "(13 عاماً)", "و14": figures end a name
        plain = _AR_HARAKAT.sub("", word)
        if len(words) >= 3 and (plain in _AR_NOT_NAME_WORDS or plain in _AR_FUNCTION_WORDS):
            break  # "فواز الجبر المحمد جميع هؤلاء": the name ended
        if len(words) >= 2 and word.startswith("و") and len(word) >= 4 and word not in _AR_WAW_NAMES and word not in words:
            break  # "آزاد حسن خليل وشيار بكر": the next person
        words.append(word)
        if len([w for w in words[:-1] if w not in _AR_JOINING]) + 1 >= 4 and words[-1] not in _AR_JOINING or last:
            break
    while words and len(words[-1]) == 1:
        words.pop()  # a stray letter ("... الجخاني ق")
    if len(words) < 2:
        return None
    bare = [_AR_HARAKAT.sub("", w) for w in words]
    bare += [w[1:] for w in bare if w.startswith("و") and len(w) > 3]  # "وجرح" is "و" + "جرح"
    if any(w in _AR_NOT_NAME_WORDS or w in _AR_FUNCTION_WORDS for w in bare):
        return None
    if any(len(w) > 4 and w.endswith(("هم", "هن", "كم", "ها")) for w in bare):
        return None  # pronoun suffixes ("وتقديمهم", "دفنهم", "نفذتها") belong to verbs and nouns, not names
    if bare[0].startswith(("ال", "بال", "لل", "وال")) or bare[0][:1] in "بل" and bare[0][1:3] == "ال":
        return None  # a name does not begin with the article ("الشعب العربي", "الشبيحة تخرج")
    if bare[0].startswith("و") and len(bare[0]) > 3 and bare[0] not in _AR_WAW_NAMES and not is_given_name(bare[0]) \
            and not is_given_name(bare[0][1:]) and bare[0][1:] not in _AR_JOINING:
        return None  # "وضرب عوامل الاستقرار": "and" and a noun, not a name
    name = clean_name(" ".join(words))
    return name if len(name.split()) >= 2 else None


# --- fields ---------------------------------------------------------------------------------


def item_context(text: str, title: str | None, published: dt.date | None, names: list[str] | None = None) -> _ItemContext:
    """What the item as a whole says: its date of death, place, perpetrator and cause, each
    with the words it came from; victims and incidents take from it what their own sentence
    leaves open. ``names``, the people named in it, are not read as places."""
    context = _ItemContext.build(text, title, published)
    context.read_place(text, title, names or [])
    return context


@dataclass
class _ItemContext:
    date: str | None
    date_evidence: str | None
    place: Place
    place_evidence: str | None
    perpetrator: tuple[str, str] | None
    cause: tuple[str, str] | None
    #: Readings of a sentence or paragraph shared by every name in it: a list of hundreds of
    #: names in one unpunctuated sentence reads its place, date and killer once, not once a name.
    memo: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: sentence -> the names found in it, blanked out before its place is read.
    names: dict[str, list[str]] = field(default_factory=dict)

    def once(self, what: str, text: str, read: Callable[[str], Any]) -> Any:
        """``read(text)``, computed once per item for each (what, text)."""
        key = (what, text)
        if key not in self.memo:
            self.memo[key] = read(text)
        return self.memo[key]

    @classmethod
    def build(cls, text: str, title: str | None, published: dt.date | None) -> _ItemContext:
        head = f"{title or ''}\n{text[:3000]}"
        date = None
        date_evidence = None
        for sentence in split_sentences(head.replace("\n", " ")):
            if _DEATH_EN.search(sentence) or _AR_DEATH.search(sentence) or re.search(r"\bon\b", sentence):
                plain = _without_arrest_dates(sentence)
                date = parse_date(plain, published) if _has_date(plain) else None
                if date:
                    date_evidence = sentence
                    break
        return cls(date, date_evidence, Place(), title or text[:200],
                   classify_perpetrator_with_evidence(head), classify_cause_with_evidence(head))

    def read_place(self, text: str, title: str | None, names: list[str]) -> None:
        """The item's place: its title's, else the one its opening names, read without the
        names of people found in it (a victim called al-Jasem does not put the item in Jasim)."""
        place = resolve_place(_without(title, *names)) if title else Place()
        if not place.governorate:
            place = resolve_place(_without(text[:1500], *names))
        self.place = place


_DATE_HINT = re.compile(r"\d{4}|\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                        r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\d{1,2}/\d{1,2}/\d{4}|"
                        r"(?:كانون|شباط|آذار|اذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|"
                        r"الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|اليوم|أمس|امس|البارحة|\btoday\b|\byesterday\b|\btonight\b|last night)", re.I)


_ARREST_DATE = re.compile(r"\b(arrested|detained|abducted|kidnapped|disappeared)\b([^.;]{0,80}?)\b(?:on|in)\s+(?:[A-Z][a-z]+\s+\d{1,2},\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{4})")


def _without_arrest_dates(text: str) -> str:
    """The text without the date someone was arrested or abducted ("was arrested ... on July
    27, 2020 ... and tortured to death"): that is not when they died."""
    return _ARREST_DATE.sub(r"\1\2", text)


def _has_date(text: str) -> bool:
    return bool(_DATE_HINT.search(to_ascii_digits(text)))


def _window(mention: _Mention, width: int = 90) -> str:
    s = mention.sentence
    return s[max(0, mention.start - width): mention.start + len(mention.name) + width]


_BOUNDARY = re.compile(r"\s+and\s+|\s+as well as\s+|;|\s+while\s+|\s+killing\s+|\s+including\s+|\s+among them\s+|\s+and\s+")
_AR_BOUNDARY = re.compile(r"\s+و(?=[\u0621-\u064A])|،|;")


def _scopes(mention: _Mention) -> tuple[str, str]:
    """The words that belong to this name: from the last list boundary before it to the
    next one after it ("and a 61-year-old man, named as X, ..." → "a 61-year-old man, named as")."""
    before = mention.sentence[:mention.start]
    after = mention.sentence[mention.start + len(mention.name):]
    boundary = _AR_BOUNDARY if mention.arabic else _BOUNDARY
    cuts = [m.end() for m in boundary.finditer(before)]
    # Without a list boundary, an intro as long as "A man from Theyban town in the eastern
    # suburbs of Deir Ez-Zour governorate, named as" still belongs to the name.
    pre = before[cuts[-1]:] if cuts else (before if len(before) <= 240 else before[-80:])
    nxt = boundary.search(after[1:]) if not mention.arabic else None
    post = after[: nxt.start() + 1] if nxt else after[:80]
    return pre[-240:], post[:90]


_DEATH_PLACE = re.compile(r"\bin\s+(?:al |al-|Al |Al-)?[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}\s+(?:village|town|city)\b")


def _record(mention: _Mention, context: _ItemContext, published: dt.date | None, language: str) -> VictimRecord | None:
    """One victim record from one mention: each field by its own function, from the words of
    the name first, then its sentence, then the item; the phrase that decided a field is kept
    as its evidence."""
    evidence: dict[str, str] = {}
    record = VictimRecord(evidence=mention.sentence if not mention.caption else mention.paragraph)
    if mention.arabic:
        record.name_ar = mention.name
        record.full_name = transliterate_name(mention.name)
    else:
        record.full_name = mention.name
    evidence["full_name"] = mention.sentence
    pre, post = _scopes(mention)
    local = f"{pre} {mention.name} {post}"
    _fill_age(record, evidence, mention, pre, post, local)
    local = _fill_sex(record, evidence, mention, local)
    torture = _fill_date(record, evidence, mention, context, published)
    _fill_place(record, evidence, mention, context)
    _fill_origin(record, evidence, mention)
    _fill_classes(record, evidence, mention, context, torture, local)
    record.field_evidence = evidence
    record.confidence = 0.6 if mention.caption else (0.85 if "named as" in mention.sentence or "identified as" in mention.sentence else 0.75)
    return record


def _fill_age(record: VictimRecord, evidence: dict[str, str], mention: _Mention, pre: str, post: str, local: str) -> None:
    """Age (and so whether a child) from the words of the name: "(13 عاماً)", ", 34,", "a
    6-year-old", "البالغ من العمر سبع سنوات"; the age a cue already read wins."""
    age = mention.age
    if age is None:
        if mention.arabic:
            match = _AR_AGE.search(to_ascii_digits(post)) or _AR_AGE.search(to_ascii_digits(pre))
            if match:
                age = int(match.group(1))
            else:
                words = _AR_AGE_WORDS.search(local)
                age = _AR_WORD_AGES.get(words.group(1)) if words else None
        else:
            bare = re.match(r"\s*,\s*(\d{1,3})\s*(?:,|\)|$|\s+(?:and|were|was|from|of)\b)", post) or re.match(r"\s*\((\d{1,3})\)", post)
            if bare:
                age = int(bare.group(1))
            for scope in (post, pre):
                if age is not None:
                    break
                match = _AGE_EN.search(scope)
                if match:
                    age = int(next(g for g in match.groups() if g))
                    break
                words = _AGE_WORDS_EN.search(scope)
                if words:
                    age = _WORD_AGES[words.group(1).lower()]
    if age is not None and 0 <= age <= 120:
        record.age = age
        record.is_child = age < CHILD_AGE
        evidence["age"] = local.strip()


def _fill_sex(record: VictimRecord, evidence: dict[str, str], mention: _Mention, local: str) -> str:
    """Sex and whether a child, from the title and words around the name, then (Arabic) a given
    name that is only a man's or only a woman's, then (English) the pronoun that refers to the
    person. Returns the words of the name with the pronoun that decided, if any."""
    if mention.arabic:
        scope = mention.sentence[max(0, mention.start - 25): mention.start + len(mention.name) + 40]
        female, male = _AR_FEMALE.search(scope), _AR_MALE.search(scope)
        if female and (not male or female.start() <= male.start() or "ة" in female.group(0)):
            record.sex = "female"
        elif male:
            record.sex = "male"
        if _AR_CHILD.search(mention.sentence[max(0, mention.start - 12): mention.start]):
            record.is_child = True
        if record.sex is None:
            # No word says it: a given name that is only a man's or only a woman's does.
            parts = mention.name.split()
            given = parts[0] + parts[1] if parts[0] == "عبد" and len(parts) > 1 else parts[0]
            record.sex = sex_of_given_name(given)
            if record.sex:
                evidence["sex"] = f"given name {given}"
    else:
        sexes = [(m.start(), sex) for pattern, sex in _SEX_WORDS_EN for m in [pattern.search(local)] if m]
        if sexes:
            record.sex = min(sexes)[1]
        if record.is_child is None:
            if _CHILD_WORDS_EN.search(local) and not re.search(r"\b(father|mother) of\b", local, re.I):
                record.is_child = True
            elif _ADULT_WORDS_EN.search(local):
                record.is_child = False
    if record.sex is None and not mention.arabic:
        # "SNHR documented the death of X ... . He had been arrested ...": the next sentence's
        # opening pronoun, when it is the only person named in its own sentence.
        rest = mention.paragraph[mention.paragraph.find(mention.sentence) + len(mention.sentence):]
        pronoun = re.match(r"\s*(He|His|She|Her)\b", rest)
        # "... died of wounds when gunmen opened fire against him": a pronoun later in the
        # sentence, when no one else is named in it.
        later = mention.sentence[mention.start + len(mention.name):]
        own = re.search(r"\b(he|him|his|she|her)\b", later, re.I)
        if own and _other_people(later):
            own = None
        if pronoun and len(_NAME_RE.findall(mention.sentence)) <= 3:
            record.sex = "male" if pronoun.group(1) in ("He", "His") else "female"
            local = f"{local} {pronoun.group(0).strip()}"
        elif own:
            record.sex = "male" if own.group(1).lower() in ("he", "him", "his") else "female"
            local = f"{local} … {own.group(0)}"
    if record.sex and "sex" not in evidence:
        evidence["sex"] = local.strip()
    return local


def _fill_date(record: VictimRecord, evidence: dict[str, str], mention: _Mention, context: _ItemContext,
               published: dt.date | None) -> re.Match[str] | None:
    """Date of death: a death in detention registered on a date ("registered as having died on
    ..."), else the sentence's own date (not the date of an arrest, nor of the wounds someone
    died of later), else the item's. Returns the registration phrase when there is one: it
    also says the cause (torture)."""
    date = None
    torture = context.once("registered", mention.paragraph, _REGISTERED.search)
    wounds = context.once("wounds", mention.sentence, _DIED_OF_WOUNDS.search)
    if torture:
        date = parse_date(torture.group(1), published)
        evidence["date_of_death"] = torture.group(0)
        learned = re.search(r"(?:learned|learnt|found out|were informed)[^.]*?(?:in|on)\s+([A-Z][a-z]+ \d{4}|\d{4}|[A-Z][a-z]+ \d{1,2}, \d{4})", mention.paragraph)
        if learned:
            record.extra["date_learned"] = parse_date(learned.group(1), published)
    elif not wounds and (date := context.once("date", mention.sentence, lambda text: _sentence_date(text, published))):
        evidence["date_of_death"] = mention.sentence
    if date is None and context.date:
        date = context.date
        evidence["date_of_death"] = context.date_evidence or ""
    if wounds and date is None:
        date = parse_date(wounds.group(1), published)
    record.date_of_death = date
    return torture


_REGISTERED = re.compile(r"registered as having died on ([A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|[^,.;]+)", re.I)
_DIED_OF_WOUNDS = re.compile(r"(?:died|succumbed)[^.]*?(?:wounds|injuries)[^.]*?(?:on|sustained on)\s+([^,.;]+)", re.I)


def _sentence_date(sentence: str, published: dt.date | None) -> str | None:
    """The date a sentence gives, leaving out the date of an arrest."""
    plain = _without_arrest_dates(sentence)
    return parse_date(plain, published) if _has_date(plain) else None


def _fill_place(record: VictimRecord, evidence: dict[str, str], mention: _Mention, context: _ItemContext) -> None:
    """Place of death: the sentence's (a caption's paragraph), a town the person was killed in
    after the one they came from, else the item's governorate when nothing contradicts it."""
    # A name is no place ("al-Jasem" is not Jasim town): the sentence is read without the
    # names found in it.
    scope = mention.sentence if not mention.caption else mention.paragraph
    place = replace(context.once("place", scope, lambda text: resolve_place(_without(text, *context.names.get(text, [mention.name])))))
    if not mention.arabic and not mention.caption:
        # "A man from Darnaj village ... was shot dead ... in al Hawayij village": where he came
        # from is his origin; a town he was killed in, named after him, is where he died.
        there = _DEATH_PLACE.search(mention.sentence, mention.start)
        if there:
            elsewhere = resolve_place(there.group(0))
            if elsewhere.locality and elsewhere.locality != place.locality:
                place = Place(elsewhere.governorate or context.once("governorate", mention.sentence, find_governorate) or place.governorate,
                              elsewhere.locality)
    if place.locality or place.governorate:
        evidence["place_of_death"] = mention.sentence
    if not place.governorate and context.place.governorate:
        if not place.locality or context.place.governorate == (context.once("governorate", mention.paragraph, find_governorate)
                                                               or context.place.governorate):
            place = Place(context.place.governorate, place.locality or context.place.locality)
            evidence.setdefault("place_of_death", context.place_evidence or "")
    record.place_of_death = place


def _without(text: str, *names: str) -> str:
    """``text`` with ``names`` blanked out, so that their words are read as nothing else (a
    comma in their place: a place phrase does not run on into what follows the name)."""
    for name in sorted(names, key=len, reverse=True):
        if name:
            text = text.replace(name, " , ")
    return text


def _fill_origin(record: VictimRecord, evidence: dict[str, str], mention: _Mention) -> None:
    """Where an English-language victim came from: "from X town in Y"."""
    near = _window(mention)
    origin = re.search(r"\bfrom\s+((?:al |Al |al-|Al-)?[A-Z][\w'\-]+(?:\s+[\w'\-]+){0,6}?)\s+(?:town|village|city|neighbourhood|neighborhood)(?:\s+in\s+([^,.;]+))?", near)
    if origin and not mention.arabic:
        record.origin = resolve_place(origin.group(0))
        if not record.origin.locality:
            record.origin = Place(record.origin.governorate, origin.group(1))
        evidence["origin"] = near


def _fill_classes(record: VictimRecord, evidence: dict[str, str], mention: _Mention, context: _ItemContext,
                  torture: re.Match[str] | None, local: str) -> None:
    """Perpetrator and cause from the sentence, else the item (a registered death in detention
    is torture); category from the words of the name ("a nurse", "الممرض")."""
    perpetrator = context.once("perpetrator", mention.sentence, classify_perpetrator_with_evidence) or context.perpetrator
    if perpetrator:
        record.perpetrator = perpetrator[0]
        evidence["perpetrator"] = perpetrator[1]
    cause = context.once("cause", mention.sentence, classify_cause_with_evidence) or context.cause
    if torture and (cause is None or cause[0] != "torture"):
        cause = ("torture", torture.group(0))
    if cause:
        record.cause = cause[0]
        evidence["cause"] = cause[1]
    category = classify_category_with_evidence(local)
    if category:
        record.category = category[0]
        evidence["category"] = category[1]


# --- merging -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_name(name: str) -> str:
    from tawthiq.lang.latin import fold_text

    return fold_text(name)


def _same_person(a: VictimRecord, b: VictimRecord) -> bool:
    """Whether two mentions in one item are one person: the same name, or the same given and
    family names (a letter off at most: "Moyaed"/"Moayed al-Ali" in a caption and the text) with
    fathers' names that agree or are missing on one side. A report names relatives and
    namesakes side by side ("Hassan Bassel al-Khatib" and "Hassan Youssef al-Khatib"), and
    merging them would lose a victim."""
    from tawthiq.lang.names import common_skeletons, name_parts, vowels_differ

    fold = _fold_name
    left, right = (a.name_ar or a.full_name or ""), (b.name_ar or b.full_name or "")
    if not left or not right:
        return False
    if fold(left) == fold(right):
        return True
    if a.evidence and a.evidence == b.evidence:
        return False  # two names in one sentence ("Salma Haddad and her daughter Salma") are two people
    x, y = name_parts(left), name_parts(right)
    if not x.skeletons or not y.skeletons:
        return False
    lw, rw = fold(left).split(), fold(right).split()

    common = common_skeletons()

    def close(p: str, q: str, raw_p: str, raw_q: str) -> bool:
        # The same key, or a spelling a letter or two off ("Moyaed"/"Moayed"); not Khaled and
        # Walid, and not two common names a letter apart or whose written vowels differ (محمد and
        # محمود, حسن and حسين share a key, and are brothers' names).
        if p == q:
            return not vowels_differ(raw_p, raw_q)
        return OSA.distance(p, q) <= 1 and fuzz.ratio(raw_p, raw_q) >= 80 and not (p in common and q in common)

    if not close(x.given, y.given, lw[0], rw[0]) or not close(x.family or x.given, y.family or y.given, lw[-1], rw[-1]):
        return False
    return not (x.father and y.father and not close(x.father, y.father, lw[1], rw[1]))


def _merge(records: list[VictimRecord]) -> list[VictimRecord]:
    """One record per person: mentions of the same person absorbed into the first, then a short
    name that is only the end of exactly one other victim's name in the item ("Abu Horan" after
    "Abdullah Shafiq Abu Horan") absorbed into it."""
    merged: list[VictimRecord] = []
    for record in records:
        for kept in merged:
            if _same_person(kept, record):
                _absorb(kept, record)
                break
        else:
            merged.append(record)
    keys = {id(k): _tail_key(k) for k in merged}
    for record in list(merged):
        words = keys[id(record)]
        if not words or len(words) > 2:
            continue
        longer = [k for k in merged if k is not record and len(keys[id(k)]) > len(words) and keys[id(k)][-len(words):] == words]
        # Only a family name ("Al-Ibrahim", "Abu Horan"), not a given and family name: "Omar
        # Haddad" beside "Rima Omar Haddad" is her father.
        family_only = len(words) == 1 or (len(words) == 2 and words[0] in ("abu", "abo", "umm", "bin", "ibn", "al", "el"))
        if words and family_only and len(longer) == 1:
            _absorb(longer[0], record)
            merged.remove(record)
    return merged


def _tail_key(record: VictimRecord) -> list[str]:
    """The words of a Latin name, lower case, articles off ("al-Masri" → "masri")."""
    if record.name_ar:
        return []
    return [re.sub(r"^(?:al|el)-", "", w.lower()) for w in (record.full_name or "").split()]


def _absorb(kept: VictimRecord, other: VictimRecord) -> None:
    """Fill what ``kept`` lacks from another mention of the same person; keep variants. The
    fuller name is kept ("Hiba al-Khatib" in a caption, "Hiba Ibrahim al-Khatib" in the text),
    so that a namesake with another father is not merged into it next."""
    kept_name, other_name = (kept.name_ar or kept.full_name or ""), (other.name_ar or other.full_name or "")
    if len(other_name.split()) > len(kept_name.split()) and (bool(kept.name_ar) == bool(other.name_ar)):
        kept.full_name, other.full_name = other.full_name, kept.full_name
        kept.name_ar, other.name_ar = other.name_ar, kept.name_ar
        if "full_name" in other.field_evidence:
            kept.field_evidence["full_name"] = other.field_evidence["full_name"]
    if other.full_name and other.full_name != kept.full_name:
        kept.extra.setdefault("name_variants", []).append(other.full_name)
    for attr in ("name_ar", "sex", "age", "is_child", "date_of_death"):
        if getattr(kept, attr) is None and getattr(other, attr) is not None:
            setattr(kept, attr, getattr(other, attr))
            if attr in other.field_evidence:
                kept.field_evidence[attr] = other.field_evidence[attr]
    if kept.place_of_death.is_empty() and not other.place_of_death.is_empty():
        kept.place_of_death = other.place_of_death
    for attr, default in (("perpetrator", "unknown"), ("cause", "unknown"), ("category", "civilian")):
        if getattr(kept, attr) == default and getattr(other, attr) != default:
            setattr(kept, attr, getattr(other, attr))
    if other.evidence and other.evidence not in kept.evidence:
        kept.evidence = f"{kept.evidence} … {other.evidence}"
    kept.confidence = min(1.0, max(kept.confidence, other.confidence) + 0.05)
    # One mention that calls the person a fighter is a warning the documenter must see.
    if other.extra.get("described_as") and not kept.extra.get("described_as"):
        kept.extra["described_as"], kept.extra["described_as_words"] = other.extra["described_as"], other.extra["described_as_words"]
    if kept.extra.get("described_as"):
        kept.confidence = min(kept.confidence, COMBATANT_CONFIDENCE)
