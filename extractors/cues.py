"""The cues news extraction reads, as data: one table, each cue with examples.

A cue is a pattern that tells something about the people a sentence names: that they died
(``death``), were hurt or held (``injury``), spoke (``speaker``), what they are called before
their name (``title``), that a list of them follows (``list_intro``), how they are related to
someone named beside them (``kinship``), that the person is described as a fighter
(``combatant``: the archive is of civilians), that what looks like a name is a place
(``place``), or that a line is page furniture rather than the item
(``furniture``). Each cue carries sentences it must match and sentences it must not, in the
project's own words; ``tests/test_extractors_cues.py`` checks every one of them, so a change to
a pattern that breaks a case it was written for fails at once, and a new phrasing is handled
by adding a cue with its examples rather than a special case in the code.

The stages in :mod:`.news` take their patterns from here by id (:func:`cue`, :func:`pattern`,
:func:`words`). Examples are invented; none is copied from a published text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

KINDS = ("death", "injury", "speaker", "title", "list_intro", "kinship", "combatant", "place", "furniture", "alias")


@dataclass(frozen=True)
class Cue:
    """One cue: ``pattern`` is searched (``re.search``) in a sentence or a line; every string
    of ``positive`` must contain a match and no string of ``negative`` may."""

    id: str
    language: str  # "en" or "ar"
    kind: str  # one of KINDS
    pattern: str
    positive: tuple[str, ...]
    negative: tuple[str, ...] = ()
    ignore_case: bool = False
    why: str = ""

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.I if self.ignore_case else 0)


def _alternation(*words: str) -> str:
    return "|".join(words)


_AR = r"[\u0621-\u064A]"
#: The Arabic verbs and nouns of dying, shared by the cues that read a death before or after a name.
_AR_DEATH_WORDS = (
    r"(استشهد|استشهدت|استشهاد|مقتل|قتل|قتلت|قُتل|قُتلت|لقي\s+حتفه|لقيت\s+حتفها|توفي|توفيت|وفاة|مصرع|فارق\s+الحياة|فارقت\s+الحياة|أعدم|إعدام|غرق|"
    r"في\s+ذمة\s+الله|راح\s+ضحيتها|راح\s+ضحيته|فقد\s+حياته|فقدت\s+حياتها|اغتيال|اغتيل|اغتال|اغتالت|اغتالوا|تشييع|جثمان|جثة|جثث|تصفية|"
    r"قتلا|قتلتا|قتلوا|قتلن|استشهدا|استشهدتا|استشهدوا|توفيا|توفوا|لقيا\s+حتفهما|لقوا\s+حتفهم|قضوا|قضيا|ارتقى|ارتقت|ارتقوا|ارتقيا|ارتقاء|المغدور|المغدورة|"
    # "وأودى الانفجار بحياة الطفلين": the killer between the verb and its "with the life of".
    r"(?:أودى|أودت|اودى|اودت)\s+(?:[\u0621-\u064A]+\s+){0,3}?بحيا(?:ة|ته|تها|تهم|تهما)|"
    # "أسفر عن فقدان أربعة أشخاص بينهم الطفلان A و B لحياتهم": the life lost, after the names.
    r"لحياته|لحياتها|لحياتهم|لحياتهما)"
)

CUES: tuple[Cue, ...] = (
    # --- English -------------------------------------------------------------------------
    Cue("en.death", "en", "death",
        r"\b(killed|killing|kills|shot dead|shot and killed|was shot|were shot|died|dies|dying|death|deaths|dead|deceased|lost (?:his|her|their) lives?|"
        r"lost (?:his|her) life|martyred|executed|executions?|killings|gunned down|succumbed|slain|murdered|drowned|body was found|bodies were found|passed away|"
        r"registered as having died|was found dead|were found dead|(?:shot|stabbed|beaten|burned|burnt|tortured) to death|assassinat\w*|claimed the li(?:fe|ves)|the bod(?:y|ies) of|(?:his|her|their) bod(?:y|ies) (?:was|were) (?:handed|returned|found|discovered|recovered))\b",
        ("Two farmers were killed when a shell hit their field.", "The strike claimed the lives of a mother and her son.",
         "Both brothers lost their lives in the blast.", "His body was handed over to the family.", "A teacher was shot to death on the road."),
        ("Three people were injured in the shelling.", "The council condemned the attack.", "He was arrested at a checkpoint."),
        ignore_case=True),
    Cue("en.not_death", "en", "injury",
        r"\b(injur\w*|wound\w*|hurt|witness\w*|eyewitness|told|said|says|stated|spokes\w*|official|commander|director|head of|"
        r"arrest\w*|detain\w*|abduct\w*|kidnap\w*|recruit\w*|conscript\w*|released|survived|rescued|treated|hospitali[sz]ed|"
        r"condemn\w*|reporter for|according to|correspondent)\b",
        ("His cousin was wounded in the leg.", "A witness said the car exploded.", "The girl was abducted on her way home."),
        ("Two farmers were killed when a shell hit their field.",),
        ignore_case=True, why="what happened to a person named other than death, or a speaker: someone else than the dead"),
    Cue("en.held_then_died", "en", "death",
        r"[^.;]{0,60}?\b(?:arrest\w*|detain\w*|abduct\w*|kidnap\w*|injur\w*|wounded)\b[^.;]{0,400}?\b(tortured to death|died|killed|executed|succumbed|shot dead|(?:confirm\w*|of)\s+(?:his|her)\s+death)\b",
        (" was arrested at a checkpoint in 2018 and tortured to death in prison", " was wounded in the raid and died two days later",
         " was arrested in 2019 at the border, and in 2020 the family received news confirming his death"),
        (" was arrested at a checkpoint and released a week later",),
        ignore_case=True, why="arrested or wounded, then dead: the same person, whose death ends the sentence"),
    Cue("en.wound_died", "en", "death", r"died (?:of|from) (?:his|her|their)? ?(?:wounds|injuries)",
        ("The boy died of his wounds in hospital.", "She died from injuries sustained last week."),
        ("He was treated for his wounds.",), ignore_case=True),
    Cue("en.later_death", "en", "death",
        r"\b(?:(?:he|she) (?:had )?(?:died|was killed|was tortured to death)|(?:his|her) (?:body|death)|died (?:due to|under|as a result of) torture|tortured to death)\b",
        ("In March his family learned that he had died in custody.", "Her body was returned a month later."),
        ("He had been arrested in 2017.",), ignore_case=True,
        why="a later sentence telling the death of the person an item opened with"),
    Cue("en.named_as", "en", "list_intro",
        r"\b(?:named (?:respectively )?(?:the (?:dead|victims?|deceased|two|three) |those (?:killed|who (?:were killed|died)) )?as|identif(?:ied|ying) (?:respectively )?(?:the (?:dead|victims?|deceased|bodies) |them |him |her )?as|"
        r"named|identified|known as|called|(?:by|with|under) the name(?: of)?|the (?:death|killing) of)\s+",
        ("A man, named as Omar Haddad", "two men named Omar and Sami Haddad", "a youth by the name of Omar Haddad", "identified respectively as Rima and Salwa Haddad",
         "three civilians were killed, the statement said, identifying them as Omar Haddad and Sami Hamed",
         "Al-Manar named those killed as reporter Hamza"),
        ("The unnamed victim was buried.", "He was identifiedas"),
        why="the name (or the names of a counted group) follows"),
    Cue("en.killed_object", "en", "death",
        r"\b(?:killed|killing|kills|claimed the li(?:fe|ves) of|took the li(?:fe|ves) of|shot dead|shot and killed|executed|murdered|"
        r"assassinated|assassinating|assassinate|kill)\s+"
        r"(?:(?:an?|the|his|her|their|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\s+(?:[^,.;]{1,80}?\s+)?[a-z][\w'’-]*,\s+)?"
        r"(?:(?:the\s+)?(?:civilian|shepherd|farmer|teacher|journalist|activist|doctor|nurse|paramedic|volunteer|worker|driver|student|"
        r"engineer|lawyer|imam|sheikh|merchant|trader|mukhtar|elder|boy|girl|child|man|woman|youth|mother|father)\s+|"
        r"(?:(?:former|ex-|senior|local|prominent)\s+)?(?:(?:opposition|rebel|tribal|community|military|police|security)\s+)?"
        r"(?:leader|commander|official|officer|member)\s+)?"
        r"(?:\d{1,3}[- ]year[- ]old\s+)?(?=[A-Z]|(?:al|el)-)",
        ("Russian warplanes killed Omar Haddad and Sami Hamed.", "a shell landed on the house, killing Rima Khalil",
         "shelled the village, killing a farmer, Khaled Hamoud,",
         "The explosion claimed the lives of Nour and Hiba Darwish.", "A landmine killed shepherd Youssef Ajaj",
         "drone strike kills civilian Ahmad Hassan in Qamishli", "The strike killed 12-year-old Hamza Darwish",
         "gunmen assassinated Abdullah Abu Horan", "killed two men, Omar Haddad and Sami Ajaj",
         "The Syrian regime killed former opposition leader Khaldoun",
         "a Turkish drone also killed a senior People’s Protection Units (YPG) official, Mihemed Sari"),
        ("Russian warplanes killed two children.", "He was killed in the strike.", "The attack killed at least 12 people."),
        why="the killer or the event as subject, the dead as object: the names follow the verb"),
    Cue("en.victims_were", "en", "death",
        r"\b(?:[Tt]he\s+)?(?:victims?|dead|deceased|martyrs?)\s+(?:were|was|are|is|included|include)\s+(?:named as\s+|identified as\s+)?(?=[A-Z]|(?:al|el)-)|"
        r"\b[Tt]he\s+(?:two\s+|three\s+|four\s+|five\s+)?(?:victims|dead|martyrs),\s+(?=[A-Z][a-z]+\s+[A-Z]|(?:al|el)-)|(?m:^)[Vv]ictims:?\s+(?=[A-Z][a-z]+\s+[A-Z])",
        ("The victims were Omar Haddad and his cousin, Sami.", "the dead included Rima Khalil",
         "The family of the victims, Hussein Abdulrahman Sagher (25) and Walid Jamil Sourani (19), refused the offer",
         "Victims Walid Jamil Sourani (19) and Hussein Abdulrahman Sagher (25)."),
        ("The victims were two children.", "The victims, most of them children, were taken to hospital", "Victims of the strike were buried"),
        why="the names of the dead follow 'the victims were', stand beside 'the victims' or under a caption 'Victims'"),
    Cue("en.name_of_the_dead", "en", "death",
        r"\bthe name of the (?:civilian|man|woman|victim|child|boy|girl|person|dead|deceased)\b[^.]{0,120}?\b(?:killed|executed|died|shot dead|murdered)\b[^.]{0,80}?\bis\s+(?=[A-Z]|(?:al|el)-)",
        ("the name of the civilian who has been executed by the gunmen is Ali Hamed",), ("the name of the village is Tell Ziwan",),
        why="'the name of the man who was killed is A'"),
    Cue("en.one_of_the_dead", "en", "death",
        r"\b(?:[Oo]ne of them|[Tt]he (?:first|second|third|other) (?:one|victim)|[Aa]nother (?:one|victim|murdered|killed|dead)|[Tt]he (?:victim|dead man|dead woman|deceased))\s+"
        r"(?:was|is)\s+(?:identified|named)\s+as\s+(?=[A-Z]|(?:al|el)-)|"
        r"\b(?:[Oo]ne|[Aa]nother)\s+of\s+(?:them|the\s+(?:[A-Z]{2,5}\s+)?(?:dead|victims|fighters|civilians|people|men|women|children|volunteers|journalists))\s+"
        r"(?:was|is)\s+(?:(?:identified|named)\s+as\s+|(?:an?|the)\s+[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3},\s+)(?=[A-Z]|(?:al|el)-)",
        ("Three people were killed. One of them was identified as Omar Haddad", "Another murdered was identified as Sami Hamed",
         "One of the SDF fighters was a commander, Aram Muhammad Ibrahim, who", "One of the victims was a local teacher, Rima Khalil"),
        ("One of them was injured in the leg.", "One of the victims was taken to hospital in Ariha"),
        why="one of the dead just counted, then named"),
    Cue("en.attacked_after_death", "en", "death",
        r"\b(?:(?:directly\s+)?fired(?:\s+(?:at|on))?|opened fire (?:at|on)|shot|targeted|ambushed|stabbed|assassinated)\s+(?=[A-Z]|(?:al|el)-)",
        ("The attackers directly fired Rami Muhammad and Omar Qasem, members of the division", "Gunmen opened fire on Sami Hamed near his home",
         "unknown gunmen shot Ali Mahmoud al-Hariri in the village"),
        ("The drone targeted a car on the road", "Gunmen opened fire on the checkpoint"),
        why="the victims of an attack named right after the dead were counted ('two men were killed ... . Gunmen fired [at] A and B')"),
    Cue("en.including", "en", "death",
        r"\b(?:killed|killing|killings|kills|claimed the lives of|death of|deaths of|executions?|executed|massacred|massacre of)\b[^.;]{0,80}?"
        r"\b(?:including|among them|among whom)\s+(?=[A-Z]|(?:al|el)-)",
        ("The strike killed five civilians, including Omar Haddad and his wife", "killing four people, among them Sami Hamed",
         "videos showing fighters conducting graphic executions of Druze civilians, including Moaz"),
        ("The strike injured five civilians, including Omar Haddad", "killing four people, including two children"),
        why="the dead counted, then some of them named"),
    Cue("en.died_after_name", "en", "death",
        # An aside set off by dashes may stand between the name and its verb ("A — along with two others — was killed").
        r"\s*(?:,\s*\d{1,3}\s*,|\(\d{1,3}\))?(?:\s*[–—]\s*[^–—.;]{2,100}?\s*[–—])?\s*(?:,\s*|[–—]\s*)?(?:(?:was|were|has been|have been|had been)\s+[\"“‘]?(?:\w+\s+)?(?:killed|shot dead|shot and killed|executed|found dead|slain|murdered|tortured to death|martyred|gunned down)|"
        r"[\"“‘]?\s*fell\s+victim\s+to\b|,?\s+being\s+(?:gunned down|shot dead|killed|executed|beheaded|tortured to death)\b|(?:was|were)\s+(?:\w+,\s+){1,3}(?:\w+\s+)?and\s+(?:then\s+|later\s+)?(?:killed|executed|murdered|shot dead|tortured to death)\b|"
        r"\s*[-–—]\s*(?:killed|died|executed|shot dead|martyred)\b|"
        r"\s+and\s+(?:his\s+|her\s+)?(?:\w+\s+){0,5}?(?:others?|members?|companions?|people|men|relatives|escorts?|guards?|children|sons|"
        r"brothers|wife|family)\b[^.;]{0,40}?\s+(?:were|was)\s+(?:\w+\s+)?(?:killed|shot dead|executed)\b|(?:was|were)\s+(?:the\s+)?victims?\s+of\s+(?:an?\s+)?(?:\w+\s+)?(?:killing|assassination|execution|murder|massacre)\b|,\s+an?\s+[^,;.]{2,120},\s+being\s+(?:gunned down|shot dead|killed|executed|beheaded|tortured to death)|"
        r"(?:(?:has|had|have)\s+)?(?:died|lost (?:his|her|their) li(?:fe|ves)|succumbed|passed away)|"
        r"\s*[–—]\s*who\s+[^,;.]{2,160}?\s+(?:was|were)\s+(?:\w+\s+)?(?:killed|shot dead|executed|murdered)\b|"
        # "A who was tortured for years ... has been found killed"; "A and B are the two civilians who lost their life".
        r"\s+who\s+[^,;.]{2,120}?\s+(?:has|have|had)\s+been\s+(?:found\s+)?(?:killed|dead|executed|murdered)\b|"
        r"\s+(?:are|were|is|was)\s+the\s+(?:\w+\s+){0,2}?(?:civilians?|people|persons?|victims?|men|women|children|ones?)\s+(?:who|that)\s+"
        r"(?:lost\s+(?:their|his|her)\s+li(?:fe|ves)|died|were\s+killed|was\s+killed|were\s+martyred|was\s+martyred)\b|(?:was|were)\s+(?:shot|stabbed|beaten|burned|burnt|tortured)\s+to\s+death|"
        r"(?:was|were)\s+assassinated|(?:was|were)\s+(?:pulled|found|recovered|retrieved)\s+(?:out\s+)?dead|(?:was|were)\s+(?:shot|stabbed|hit|struck)\b[^.;]{0,60}?\band\s+(?:later\s+|instantly\s+)?(?:died|was\s+killed)|(?:was|were)\s+(?:also\s+)?among\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:dead|killed|victims|fatalities)\b(?!\s+and\s+(?:injur|wound))|,\s+(?:killing\s+(?:him|her|them|both)|(?:shooting|stabbing|beating)\s+(?:him|her|them)\s+to\s+death)|"
        r",\s+who\s+[^,;.]{2,160}(?:,\s+(?-i:(?![A-Z]))[^,;.]{2,80})?(?:,|\s+[–—])\s+(?:\w+ly\s+)?(?:died|(?:was|had\s+been)\s+(?:\w+\s+)?(?:killed|shot\s+dead|executed|assassinated|murdered|slain))|"
        r",?\s+who\s+(?:was|were|had\s+been|has\s+been)\s+(?:\w+\s+)?(?:killed|shot\s+dead|executed|assassinated|tortured\s+to\s+death)|,?\s+who\s+(?:died|lost\s+(?:his|her)\s+life))\b",
        (" was shot to death on the road", ", who volunteered with the rescuers, reportedly died when", " who was killed in the line of duty", ", killing him and his wife", ", shooting him to death in front of his shop", " was assassinated by gunmen", ", who was waiting for the bus, died instantly",
         ", who was leading a local group working for the air force intelligence after the settlement with the government, was killed by",
         ", who had returned to the village, where his family lives, was shot dead",
         ", who volunteered with the civil defence – known as the White Helmets – reportedly died when",
         " was shot dead by gunmen on a motorbike", " were killed in the attack", ", 34, died on the way to hospital",
         " lost their lives when the roof fell", ", an engineer, was also among the dead",
         " were “shot dead by unknown assailants riding in a van", " “fell victim to a missile deliberately aimed at the car",
         ", a 60-year-old guard at a communal water well, being gunned down by two young fighters", " was gunned down on Friday", " was the victim of a targeted killing by the security forces", ", was arrested, tortured and killed by Syrian forces",
         " - killed in Aleppo on 11 August", " — who were part of the funeral cortege heading for the town were shot dead",
         " and four members of his entourage were killed while returning", " — along with 2 fellow fighters — was killed in an attack",
         " who was tortured for years by the regime has been found killed inside Sednaya prison",
         " are the two civilians who lost their life in the bombing", ", a reporter for the local news agency, had died of his wounds",
         " has died in custody in Syria"),
        (" was injured by shrapnel", " were arrested at dawn", " said the strike hit the market",
         ", who was leading the group, was wounded by gunmen", ", who was arrested, and his brother were wounded"),
        ignore_case=True, why="read right after a name: the name is the subject of a verb of dying"),
    Cue("en.alias_before", "en", "alias",
        r"(?:[(,]\s*(?:known\s+as|called|nicknamed|dubbed)|\baka|\ba\.k\.a\.?|also\s+known\s+as|better\s+known\s+as|also\s+called)\s*[\"'“‘]?\s*$",
        ("Salwa Youssef (also called ", "Mohammad Al-Zaher, also known as ", "Abu Kifah, nicknamed “", "Omar Haddad (known as "),
        ("The strike killed ", "known for ", "a media coordinator for HTS known as "),
        ignore_case=True, why="a name right after 'also known as' is another name of the person just named, not a second victim"),
    Cue("en.bodies_of_named", "en", "death",
        r"\b(?:found|discovered|recovered|retrieved|pulled out|handed over)\s+(?:the\s+|an?\s+|two\s+|three\s+|four\s+|\d+\s+)?bod(?:y|ies)\s+"
        r"(?:of|belong(?:ed|ing)\s+to)\s+(?=[A-Z]|(?:al|el)-)",
        ("Residents found the bodies of Omar Haddad and Sami Hamed on the road.", "Rescuers recovered the body of Rima Khalil",
         "residents found a body belonged to Omar Haddad", "found two bodies belonging to Sami Hamed and Fadi Hamed"),
        ("Residents found the bodies of two men.",), why="a body found and named: the person is dead"),
    Cue("en.body_of", "en", "death",
        r"\b[Bb]od(?:y|ies) of (?:an? |the )?(?:(?:young|elderly|old)\s+)?(?:man|woman|boy|girl|child|civilian|person)\s+(?=[A-Z])",
        ("Body of man Omar Haddad found in E. Aleppo", "The body of a young man Sami Hamed was found"),
        ("Body of unidentified man found", "the body of a man bearing gunshot wounds"),
        why="a headline reporting a body by the name after 'body of man'"),
    Cue("en.list_heading", "en", "list_intro",
        r"\b(?:killed|dead|victims?|martyrs?|names of the (?:dead|victims|martyrs)|were named as|identified as|died|lost their lives)\b[^.]{0,60}:\s*$",
        ("The names of the dead:", "The victims who were killed in the strike are:", "Those who lost their lives:"),
        ("The injured were taken to hospital:", "Three people died in the strike."),
        ignore_case=True, why="a line that announces the dead listed one a line below it"),
    Cue("en.relative", "en", "kinship",
        r"\b(?:his|her|their)\s+(?:(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)[- ](?:year|month)[- ]old\s+)?"
        r"(?:son|daughter|wife|husband|brother|sister|mother|father|child|nephew|niece|grandson|granddaughter|cousin)\s+",
        ("killing a farmer and his son ", "her two-year-old daughter ", "their cousin "), ("the son of the mukhtar",),
        why="a relative named after the relation"),
    Cue("en.combatant_before", "en", "combatant",
        r"(?<!\bby )(?<!\bof )\b(?:soldiers?(?!['’])|fighters?|militants?|militiam[ae]n|combatants?|conscripts?|"
        r"(?:PKK|YPG|YPJ|SDF|ISIS|IS|HTS|FSA|SNA|Hezbollah|Hizbollah|regime|army|militia|faction)\s+(?:members?|fighters?|commanders?|leaders?|operatives?))\s*,?\s*$",
        ("Turkish drones killed the YPG commander ", "the body of the soldier ", "Two fighters, "),
        ("Turkish drones killed the farmer ", "the body of the teacher "),
        ignore_case=True, why="read right before a name: the person is described as a fighter, not a civilian"),
    Cue("en.combatant_after", "en", "combatant",
        r"^\s*(?:\([^)]{1,40}\)\s*)?,\s*(?:an?|the)\s+(?:senior\s+|local\s+|former\s+|field\s+)?(?:[A-Z]{2,}\s+)?"
        r"(?:(?:fighter|commander|soldier|militant|combatant|conscript)s?\b(?!['’])|(?:member|leader|operative|officer)s?\s+(?:of|in|with|from|for)\s+"
        r"(?!(?:the\s+)?(?:Syrian\s+)?(?:Civil\s+Defen[cs]e|White\s+Helmets|(?:Syrian\s+Arab\s+)?Red\s+Crescent))(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:PKK|YPG|YPJ|SDF|ISIS|IS|HTS|FSA|SNA|Hezbollah|Hizbollah|IRGC|army|armed|forces|militias?|factions?|brigades?|battalion|regiment|division)\b)",
        (" (Jadarji), a member of the PKK", ", a commander in the SDF", ", a fighter with Hezbollah"),
        (", a teacher from the village", ", a member of the local council's relief team... ", ", a member of the Civil Defence forces,",
         ", a soldier's widow,"),
        why="read right after a name: an apposition describing the person as a member of an armed group (civil defence is civilian)"),
    Cue("en.place_before", "en", "place",
        r"\b(?:city|town|village|camp|district|province|governorate|region|neighbou?rhood|area|suburb|countryside|outskirts)\s+of\s*$",
        ("fled the Darfur city of ", "shelling on the village of "), ("the son of ", "the body of "),
        ignore_case=True, why="read right before a capitalised phrase: it is a place, not a person"),
    Cue("en.place_after", "en", "place",
        r"^\s*,\s*(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:city|town|village|camp|district|province|governorate|region|neighbou?rhood|suburb|area)"
        r"(?=\s*[,.;]|\s+(?:in|of|on|near|north|south|east|west|outside|hit|where|that|which|under|held|controlled)\b)",
        (", a city in Darfur hit by attacks", ", a small village north of Idlib", ", the Kurdish-held town,"),
        (", a farmer from the village", ", the head of the town council", ", the village mukhtar, was", ", a camp resident, died",
         ", a town council member, was"),
        why="read right after a capitalised phrase: an apposition that makes it a place"),
    Cue("en.killed_list", "en", "death",
        r"\b(?:killed|killing|died|dead|executed|lost their lives|martyred|shot dead|the victims|the dead)\b(?:(?!\b(?:injur|wound|arrest|detain|abduct)\w*)[^.:;]){0,140}?"
        r"(?::|,?\s+(?:namely|they are|they were|who are|whose names are|as follows)\s*:?)\s*(?=(?:Dr\.?\s+)?[A-Z]|(?:al|el)-)",
        ("Three civilians were killed in the raid: Omar", "The gunfire killed three civilians, they are: Omar",
         "two men died, namely Sami"),
        ("Three civilians were injured in the raid: Omar", "Two were killed and three wounded: Omar", "Residents said: Omar"),
        why="a clause of dying, then a colon or 'namely': the names of the dead follow"),
    Cue("en.death_of", "en", "death",
        r"\b(?:[Tt]he\s+)?(?:death|deaths|killing|murder|assassination|execution|funeral|funerals|burial)\s+of\s+(?:the\s+|a\s+)?(?:(?:young|elderly|old)\s+)?"
        r"(?:(?:[A-Z][\w'’-]*\s+){1,5}?(?:volunteers?|journalists?|workers?|members?|staff|doctors?|nurses?|paramedics?|activists?|employees?)\s+)?"
        r"(?:(?:citizen\s+)?(?:civilian|child|boy|girl|man|woman|farmer|teacher|doctor|nurse|journalist|activist|paramedic|volunteer|worker|shepherd|driver|student|detainee|prisoner)\s+)?"
        r"(?:(?:the|their|his|her|its)\s+(?:[\w'’-]+\s+){0,5}?[\w'’-]+,\s+)?"
        r"(?=(?:\d{1,3}[- ]year[- ]old\s+)?[A-Z][a-z]|(?:al|el)-)",
        ("The death of the civilian Saleh", "documented the killing of Omar", "the execution of the young man Sami",
         "announced the death of their former Director in Ghouta, Mohammad", "Mourners attend the funeral of Raed", "The deaths of citizen journalist Mohamed",
         "shocked by the deaths of Syrian Arab Red Crescent volunteers Quteiba"),
        ("the death of civilians", "the killing of a child", "The death toll rose"),
        why="'the death of (the civilian) X': X is the dead"),
    Cue("en.among_the_dead", "en", "death",
        r"\b(?:[Aa]mong|[Oo]ne of)\s+(?:those|the people|the civilians|the victims|the dead|the\s+(?:\w+\s+)?(?:fighters|people|civilians|men|"
        r"women|children|journalists|volunteers|members|workers))\s+(?:(?:who\s+(?:were|was)\s+)?killed|who died|who lost their lives)\s+"
        r"(?:(?:in|on|by)\s+[^,.;]{2,60}?\s+)?(?:was|were|is|are)\s+(?=[A-Z]|(?:al|el)-)",
        ("Among those killed was Hiba", "One of the people killed in the strike was Omar", "Among the four fighters killed was Commander"),
        ("Among those injured was Hiba", "Among the four fighters wounded was Aram"),
        why="'among those killed was A'"),
    Cue("en.killed_include", "en", "death",
        r"\b(?:killed|dead|victims|the dead|martyrs)\s+(?:include|included|includes)\s+(?=(?:Dr\.?\s+)?[A-Z]|(?:al|el)-)",
        ("Other citizen journalists killed include Ahmed", "The victims included Omar"), ("The injured include Omar",),
        why="'those killed include A and B'"),
    Cue("en.killed_were", "en", "death",
        r"(?:^|[.;]\s+|\b[Aa]lso\s+)(?:[Kk]illed|[Dd]ead)\s+(?:in|by|during|on|at)\s+[^.;:]{2,60}?\s+(?:were|was)\s+(?=(?:Dr\.?\s+)?[A-Z]|(?:al|el)-)",
        ("Killed in the strike were Rima", "Dead in the attack was Omar"), ("People killed in the strike were buried", "He killed in the strike"),
        why="the verb first: 'killed in the strike were A, B and C'"),
    Cue("en.list_end", "en", "list_intro",
        r"(?::|\b(?:namely|they are|they were|who are|whose names are|as follows)\s*:?)\s*$",
        ("Three civilians were killed in the raid:", "The gunfire killed three civilians, they are"), ("Three civilians were killed.",),
        why="a line that ends by announcing the names on the line below"),
    Cue("en.comment_thread", "en", "furniture",
        r"All reactions:|كل التفاعلات:|\bLikeComment(?:Share)?Most relevant|\bMost relevant\ufeff",
        ("All reactions: 120 45 comments", "LikeCommentShareMost relevant"), ("The family received condolences.",),
        why="where a saved social-media page turns from the post to its readers' comments"),
    Cue("en.related_heading", "en", "furniture",
        r"^\s*(?:Related (?:News|Articles|Posts|Stories|Content)|Read (?:also|more|next)|You (?:may|might) also like|More (?:from|news)|Most read|Latest news|"
        r"(?:Next|Previous) (?:article|post|story)|"
        r"[اأإ]قر[أا]\s+(?:أيضا|أيضاً|ايضا|المزيد|التالي)|(?:أخبار|مواضيع|مقالات|منشورات)\s+ذات\s+صلة|اخترنا\s+لك|الأكثر\s+قراءة|"
        r"(?:آخر|اخر)\s+الأخبار|(?:المقال|الخبر|الموضوع)?\s*(?:التالي|السابق))\s*:?\s*$",
        ("Related News", "Read more", "اقرأ أيضاً", "أخبار ذات صلة", "أقرأ التالي", "التالي", "المقال السابق", "Next article"),
        ("Related to the attack, three men were arrested.", "وفي اليوم التالي قتل شاب"),
        ignore_case=True, why="a box of links to other items: the names in it are other items' victims"),
    Cue("en.teaser", "en", "furniture", r"(?:\.\.\.|…)\s*$",
        ("A man, identified as Omar Haddad, was...", "On June 3, the body of a woman bearing…"), ("He was killed on June 3.",),
        why="a truncated teaser of another item, as a related-links box shows it"),
    Cue("en.post_header", "en", "furniture",
        r"(?m)^(?P<who>[^\n]{0,80}?)(?:\s*Verified account)?\s*(?:(?:January|February|March|April|May|June|July|August|September|"
        r"October|November|December)\s+\d{1,2}(?:,\s*\d{4})?(?:\s+at\s+\d{1,2}:\d{2}\s*[AP]M)?|\d{1,2}\s*[hdwm]|Yesterday"
        r"(?:\s+at\s+\d{1,2}:\d{2}\s*[AP]M)?)\s*·\s*(?:Shared with (?:Public|Friends|[A-Z][a-z]+)|Public)"
        # The handle ends where the post begins, glued ("@SyriaCivilDefAn individual was killed").
        r"|^(?:Conversation)?(?P<handle_of>[^\n@]{0,50}?[^\s@])@[A-Za-z0-9_]{2,30}?"
        r"(?=(?:An?|The|One|Two|Three|Four|Five|Six|Several|At|In|On|Breaking|Urgent|BREAKING|URGENT)\s|[^A-Za-z0-9_]|$)",
        ("ANHA عربية Verified accountOctober 24, 2024 · Shared with Public", "Hossam JammalNovember 29, 2024 · Shared with Public",
         "أحمد الرمضان Verified accountDecember 21, 2025 · Shared with Public سوريا", "Osama Alshamy@OsamaAlshamy166ما تزال",
         "Post Post The White Helmets@SyriaCivilDefAn individual was killed"),
        ("He was killed on December 21, 2025 in Ziban.", "استشهاد الطفل محمد خالد @SyriaCivilDef"),
        why="the poster's name and date at the head of a scraped Facebook or X post: the account that posted, not a person "
            "the post is about"),
    # --- Arabic ----------------------------------------------------------------------------
    Cue("ar.death", "ar", "death", _AR_DEATH_WORDS,
        ("استشهد الشاب في القصف", "لقي حتفه غرقا في النهر", "عثر الأهالي على جثة رجل", "السيدة وابنها قتلا في الغارة",
         "وأودى الانفجار بحياة الطفلين"),
        ("أصيب طفلان بجروح", "اعتقلت الدورية شابين"),
        why="a verb or noun of dying"),
    Cue("ar.hurt", "ar", "injury",
        r"(?<![\u0621-\u064A])(?:و|ف)?(?:ب|ل)?(?:ال)?(أصيب|أصيبت|إصاب|اصاب|جرح|جرحى|جريح|بجروح|جروح|اعتقل|اعتقال|اختطف|خطف|تجنيد|نجا|مصاب)",
        ("أصيب شقيقه بجروح", "اعتقل عناصر الحاجز الشاب", "نجا السائق من الانفجار", "ما أدى لإصابته", "وسقوط عدد من الجرحى",
         "ونجا ابنه"),
        ("استشهد الشاب في القصف", "صابر سنجار الفهد", "مقتل شخصين بعملية إنزال"),
        why="hurt, held or spared: someone alive (at a word's start, after its clitics: نجا is not inside سنجار)"),
    Cue("ar.not_death", "ar", "injury", r"(?:(أصيب|أصيبت|إصابة|اصابة|جرح|جرحى|جريح|بجروح|اعتقل|اعتقال|اختطف|خطف|تجنيد|نجا|مصاب)|شاهد|قال|أفاد|صرح)",
        ("أصيب شقيقه بجروح", "قال مدير المركز"), ("استشهد الشاب في القصف",), why="hurt, held or spared, or a reporting verb"),
    Cue("ar.hurt_after_name", "ar", "injury",
        r"[\s،,]*(?:الذي|التي|وهو|وهي)\s+(?:ما\s*زال|مازال|لا\s+يزال|ما\s*زالت|مازالت|لا\s+تزال)\s+(?:مصاب|مصابة|بحالة|في\s+حالة|يتلقى|تتلقى|يرقد|ترقد)",
        (" الذي مازال مصابًا ووضعه حرج", " التي لا تزال في حالة خطرة"), (" الذي استشهد أمس",),
        why="read right after a name: the person is still alive, wounded"),
    Cue("ar.reported_event", "ar", "speaker", r"[\s،,]*ب(?:مقتل|استشهاد|وفاة|إصابة|اصابة|سقوط|العثور)(?![\u0621-\u064A]{4,})",
        ("، بمقتل ثلاثة عناصر", " باستشهاد طفلين"), (" بقصف مدفعي",),
        why="read right after a name that a reporting verb comes before: 'أفاد مراسلنا، X، بمقتل ...' — X is the reporter"),
    Cue("ar.dead_relative", "ar", "death",
        r"[\s،,]*(?:الذي|التي|اللذين|اللذان|اللتين)\s+(?:ارتقى|ارتقت|استشهد|استشهدت|قتل|قتلت|توفي|توفيت|قضى|قضت|لقي\s+حتفه|لقيت\s+حتفها)(?![\u0621-\u064A])",
        (" الذي ارتقى بغارة صباح اليوم", " التي استشهدت أمس"), (" الذي أصيب أمس",),
        why="read right after a name: the person named is the one who died, whatever word came before the name"),
    Cue("ar.subject_of", "ar", "speaker",
        r"[\s،,]*(?:يدين|تدين|أدان|ادان|أدانت|يؤكد|تؤكد|يقول|تقول|يطالب|تطالب|طالب|طالبت|يندد|تندد|ندد|نددت|يعلن|تعلن|"
        r"ينعى|تنعى|نعى|نعت|يروي|تروي|روى|روت|يتحدث|تتحدث|يكشف|تكشف|يتفقد|تتفقد|تفقد|يزور|تزور|زار|زارت|يستنكر|"
        r"تستنكر|استنكر|يصرح|تصرح|يوضح|توضح|أوضح|يضيف|تضيف|أضاف|يشير|تشير|أشار)(?![\u0621-\u064A])",
        (" يدين مقتل المدنيين", " تروي ما جرى لعائلتها"), (" يدينون",),
        why="a verb right after a name makes the person its subject: one who speaks or visits"),
    Cue("ar.speaker_before", "ar", "speaker", r"(?:شاهد|قال|أفاد|صرح|أكد|اكد)\S*\s+(?:\S+\s+)?$",
        ("وقال ", "أفاد الناشط "), ("استشهد الشاب ",), why="a reporting verb right before a name: the speaker"),
    Cue("ar.hurt_then_died", "ar", "death",
        r"[^.؟!]{0,120}?(?:أصيب|أصيبت|اصيب|اصيبت|جرح|جرحت)[^.؟!]{0,120}?(?:و|ثم\s+|قبل\s+أن\s+|ل)(?:قتل|قتلت|توفي|توفيت|استشهد|استشهدت|يفارق|تفارق|فارق|فارقت)(?![\u0621-\u064A])",
        ("، أصيب في غارة على مزرعته، وتوفي بعد ساعات",), ("، أصيب في غارة على مزرعته ونقل إلى المشفى",),
        why="injured, then dead: the same person"),
    Cue("ar.pronoun_death", "ar", "death",
        r"^\S*\s*(?:\S+\s+){0,2}?\S*(?:قتله|قتلها|قتلوه|استشهاده|استشهادها|مقتله|مقتلها|وفاته|وفاتها|تصفيته|إعدامه|اعدامه)(?![\u0621-\u064A])",
        ("وقاموا بتصفيته", "وأكد ذووه وفاته"), ("وقاموا باعتقاله",),
        why="a death told in the next sentence with a pronoun for the person just named"),
    Cue("ar.died_later", "ar", "death",
        r"(?<![\u0621-\u064A])(?:و|ف|ثم\s+|ل)?(?:توفي|توفيت|يتوفى|تتوفى|فارق\s+الحياة|فارقت\s+الحياة|يفارق\s+الحياة|تفارق\s+الحياة|"
        r"لفظ\s+أنفاسه|لفظت\s+أنفاسها)(?:\s+(?:بعد|في|متأثر\S*|متاثر\S*|على|إثر|اثر|جراء|قبل|خلال|لاحقا|لاحقاً|أثناء|اثناء|وهو|وهي)"
        r"(?![\u0621-\u064A])|\s*[.،,]|\s*$)",
        ("وأشارت إلى أن الدورية نقلته إلى مقرها، وتوفي بعد لحظات من نقله", "ونقل إلى المشفى حيث فارق الحياة متأثرا بجراحه",
         "ثم توفي."),
        ("وتوفي شاب آخر في القصف", "وتوفيت الطفلة سلمى في المشفى", "ونقل إلى المشفى لتلقي العلاج"),
        why="the one person a sentence names as hurt dies in the next, the verb's subject left unsaid: the same person"),
    Cue("ar.alias_before", "ar", "alias",
        r"(?:المعروف|المعروفة|الملقب|الملقبة|الملقّب|المكنى|المكنّى|المكناة|ويعرف|يعرف|وتعرف|تعرف|ويلقب|يلقب|وتلقب|المشهور|الشهير|الشهيرة)"
        r"\s*(?:باسم|بلقب|ب)?\s*[ـ\"“”«»'\s،,]*$",
        ("الشاب عصام الزعبي المعروف بـ\"", "محمد العلي الملقب ", "والمعروف باسم ", "المعروف ب ، "), ("استشهد الشاب ", "المعروف أن "),
        why="a name right after 'known as' is another name of the person just named, not a second victim"),
    Cue("ar.shared_death_after", "ar", "death",
        r"(?<![\u0621-\u064A])(?:(?:استشهدا|توفيا|قضيا|لقيا\s+(?:حتفهما|مصرعهما)|فارقا\s+الحياة|فقدا\s+حياتهما|استشهدوا|توفوا|قضوا|"
        r"لقوا\s+(?:حتفهم|مصرعهم)|فقدوا\s+حياتهم)(?![\u0621-\u064A])|(?:قتلا|قتلوا)(?=\s*(?:[،,.]|$|أمس|امس|اليوم|في|ب|جراء|إثر|اثر|بعد|خلال|على\s+يد|متأثر)))",
        ("وهما مدنيان لا ينتميان لأي جهة، قتلا أمس الإثنين", "استشهدا بقصف على البلدة", "لقوا حتفهم غرقا"),
        ("قتلا الشاب في منزله", "أصيبا بجروح"),
        why="a verb of dying in the dual or plural, said of the names just before it"),
    Cue("ar.attacked_after_death", "ar", "death",
        r"(?<![\u0621-\u064A])(?:استهدف|استهدفوا|استهدفت|اغتال|اغتالوا|اغتالت|هاجم|هاجموا|"
        r"(?:أطلق|اطلق|أطلقوا|اطلقوا)\s+النار\s+(?:[\u0621-\u064A]+\s+){0,3}?[\u0621-\u064A]*على)(?![\u0621-\u064A])",
        ("إن مجهولين استهدفوا القيادي السابق في الجيش الحر", "أطلقوا النار على الشاب", "أطلقوا النار بشكل مباشرعلى"),
        ("استهدافه بالرصاص", "استهداف سيارة"),
        why="the one an attack is told on, right after a sentence that told a death (then the dead just told)"),
    Cue("ar.ordinal_death", "ar", "death",
        r"(?<![\u0621-\u064A])(?:مقتل|استشهاد|وفاة|قتل|ومقتل|واستشهاد|ووفاة)\s+(الأول|الاول|الثاني|الأولى|الاولى|الثانية)(?![\u0621-\u064A])",
        ("ما أدى إلى مقتل الأول وإصابة الثاني بجروح", "أسفر عن إصابة الأول واستشهاد الثانية"), ("ما أدى إلى إصابة الأول بجروح",),
        why="two people named, then which of them died by order: 'the first' or 'the second'"),
    Cue("ar.result_death", "ar", "death",
        r"(?:أدى|أدّى|ادى|أسفر|اسفر|تسبب|تسبّب)\s+(?:ذلك\s+)?(?:إلى|الى|ل|عن|في|ب)\s*(?:(?:إصابته|اصابته|إصابتها|اصابتها|جرحه|جرحها)\s+(?:و|ثم\s+))?(?:مقتله|مقتلها|مقتلهما|مقتلهم|وفاته|وفاتها|وفاتهما|استشهاده|استشهادها|استشهادهما)(?![\u0621-\u064A])",
        ("ما أدّى إلى مقتله على الفور", "ما أدى لمقتلهما", "تسبب بوفاتها", "مما أدى إلى إصابته ووفاته على الفور"), ("ما أدى إلى إصابته بجروح",),
        why="the shot or blast that hit the person named led to their death, later in the sentence"),
    Cue("ar.result_hurt", "ar", "injury",
        r"(?:أدى|أدّى|ادى|أسفر|اسفر|تسبب|تسبّب)\s+(?:ذلك\s+)?(?:إلى|الى|ل|عن|في|ب)\s*(?:إصابته|اصابته|إصابتها|اصابتها|إصابتهما|اصابتهما|"
        r"جرحه|جرحها)(?![\u0621-\u064A])",
        ("ما أدى لإصابته ومقتل اثنين من مرافقيه", "ما أسفر عن إصابتها بجروح"), ("ما أدى إلى مقتله",),
        why="the shot or blast that hit the person named wounded them: a death told next to it is someone else's"),
    Cue("ar.death_after", "ar", "death",
        r"(?:" + _AR_DEATH_WORDS + r"|"
        r"متأثر\w*\s+ب(?:جراح|إصاب|اصاب)|متاثر\w*\s+ب(?:جراح|إصاب|اصاب)|رحمه\s+الله|"
        r"رحمها\s+الله|تقبله\s+الله|تقبلها\s+الله|الله\s+يرحم|يرحمه|يرحمها|وفاته|وفاتها|مجزرة|المجزرة|قضى\s+(?:\S+\s+){0,2}?(?:نحبه|برصاص|بقصف|جراء|إثر|اثر)|"
        r"(?:قضى|قضت|قضوا)\s+(?=(?:ال)?(?:طفل|طفلة|شاب|شابة|رجل|مواطن|مواطنة|سيدة|فتى|فتاة|مسن|مسنة|مدني|مدنية|عامل|مزارع|راعي)(?![\u0621-\u064A])|كل\s+من)|"
        r"(?<![\u0621-\u064A])(?:حتفه|حتفها|حتفهما|حتفهم|حياته|حياتها|حياتهما|حياتهم)(?![\u0621-\u064A])|"
        r"(?:قضى|قضت)\s+(?:اليوم|أمس|امس|ليلة|صباح|مساء|فجر)(?![\u0621-\u064A]))",
        (" متأثرا بجراحه", " رحمه الله", " قضى بقصف على بلدته", "وأمس قضى الطفل سامر", " قضى اليوم برصاص مسلحين",
         "قضى كل من سامر", " حتفه إثر انفجار عبوة", " حياته إثر مشادة", "، قضى اليوم جراء إطلاق الرصاص"), (" أصيب بجروح طفيفة", "قضى الشهر في حلب"),
        why="what is said after a dead person's name: died of wounds, a prayer for the dead"),
    Cue("ar.combatant_before", "ar", "combatant",
        r"(?<![\u0621-\u064A])(?<!برصاص )(?<!بقصف )(?<!بنيران )(?<!يد )(?<!قبل )"
        r"(?:العسكري|الجندي|جندي|المجند|مجند|العنصر|عنصر|المقاتل|مقاتل|القيادي|قيادي|المسلح|عناصر|مقاتلين|جنديين|عنصرين|مقاتلي|عنصري|جنديي)"
        r"(?!(?:\s+\S+){0,3}?\s+(?:ال)?(?:دفاع|الدفاع|هلال|الهلال|إسعاف|الإسعاف|اسعاف|الاسعاف)(?![\u0621-\u064A]))"
        r"(?:(?:\s+\S+){0,6}?\s+(?:يدعى|تدعى|المدعو|اسمه|واسمه|هما|هم|وهما|وهم)\s*[:،,]?|\s*[:،,]?)\s*$",
        ("وقتل اثر ذلك العسكري يدعى ", "قتل جندي في الجيش يدعى ", "مقتل عنصر من قوات النظام يدعى ", "اغتيال عنصرين من الفصائل هما: ",
         "مقتل القيادي "),
        ("استشهد الطفل ", "قتل عنصر من قوات النظام والمدني ", "أصيب عنصر في القصف، واستشهد الشاب ",
         "قتل ثلاثة مدنيين برصاص عناصر من قوات النظام في درعا، وهم: ", "استشهد اثنان من عناصر الدفاع المدني وهما: "),
        why="read right before a name: the person is described as a soldier or fighter, not a civilian"),
    Cue("ar.combatant_after", "ar", "combatant",
        r"^\s*[،,]?\s*(?:وهو\s+|وهي\s+)?(?:عنصر|العنصر|مقاتل|المقاتل|القيادي|قيادي|الجندي|جندي|العسكري|المجند)\s+(?:في|ب|من|لدى|لصالح|ضمن|سابق)"
        r"(?!\s*(?:\S+\s+)?(?:ال)?(?:دفاع|الدفاع|هلال|الهلال|إسعاف|الإسعاف|اسعاف|الاسعاف)(?![\u0621-\u064A]))",
        ("، عنصر في قوات النظام", " وهو قيادي في الفصيل", "، القيادي في هيئة تحرير الشام"),
        ("، من أبناء بلدة الجينة", "، عامل في الفرن", "، عنصر في الدفاع المدني،"),
        why="read right after a name: an apposition describing the person as a fighter"),
    Cue("ar.after_name", "ar", "death", _alternation(
        "غرقا", "حرقا", "ذبحا", "شنقا", "خنقا", "اختناقا", "مقتولا", "مقتولة", "مقتولين", "مقتولان", "مقتولتين", "مذبوحا", "مذبوحة", "تعذيبا", "رميا", "دهسا", "صعقا",
        "جوعا", "بردا", "إعداما", "اعداما", "ميدانيا", "فارق", "فارقت", "فارقا", "حتفه", "حتفها", "بتهمة", "بتهم", "عقب", "بطلق", "بطلقة",
        "برصاصة", "بشظية", "بشظايا", "متأثرين", "متأثرتين", "متأثرًا"),
        ("غرقا", "مقتولا", "بتهمة"), ("غريب",),
        why="a word said right after a dead person's name about how they died: it ends the name (a word list, read whole)"),
    Cue("ar.describing_verb", "ar", "title", _alternation(
        "يعمل", "تعمل", "يشتغل", "تشتغل", "يبلغ", "تبلغ", "يسكن", "تسكن", "يقطن", "تقطن", "يقيم", "تقيم", "يدرس", "تدرس",
        "ينحدر", "تنحدر", "يعاني", "تعاني", "يعيل", "تعيل", "وهو", "وهي", "ويعمل", "وتعمل"),
        ("يعمل", "تبلغ", "ينحدر"), ("يعرب", "يمان", "تمام"),
        why="a verb or pronoun right after a name that goes on to describe the person (his work, age, home): it ends the "
            "name and leaves the person a victim (a word list, read whole)"),
    Cue("ar.list_end", "ar", "list_intro", r"(?:كل\s+من|وهم|هم|وهي|كما\s+يلي|التالية|التالي|:|👇)\s*[.:…]*\s*$",
        ("أدى القصف لاستشهاد كل من", "وهذه أسماء الشهداء:"), ("استشهد الشاب في القصف",),
        why="a line that announces a list on the lines below"),
    Cue("ar.list_heading", "ar", "list_intro",
        r"^\s*(?:(?:أسماء|اسماء)\s+(?:شهداء|ضحايا)|(?:(?:أسماء|اسماء)\s+)?(?:الشهداء|الشهيدان|الشهيدين|الضحايا|القتلى|"
        r"شهداءنا\s+اليوم|عرف\s+منهم|منهم|وهم))(?![\u0621-\u064A])[^.]{0,80}$",
        ("أسماء الشهداء", "عرف منهم :"), ("الشهداء الأبرار قدموا أرواحهم من أجل الوطن. ونحن نذكرهم",),
        why="a short line that is itself the heading of a list of the dead"),
    Cue("ar.list_intro", "ar", "list_intro", r"(?:\s(?:وهم|هم|وهن|هن|وهي|وهما|هما|بينهم|منهم)\s+|:\s*)",
        ("مقتل ثلاثة أطفال وهم ", "استشهد مدنيان هما: "), ("مقتل ثلاثة أطفال",), why="a list of the dead follows in the sentence"),
    Cue("ar.family_line", "ar", "kinship", r"^\s*(?:من\s+)?(?:عائلة|أسرة|اسرة|آل)\s+([\u0621-\u064A\s]{2,60}?)\s*[:.]?\s*$",
        ("عائلة سمير الحسن:", "من آل الخطيب"), ("عائلة سمير الحسن، نزحت من حلب قبل عامين",),
        why="a line naming the family the next lines belong to (any short line of words after عائلة: the lines below decide)"),
    Cue("ar.and_child", "ar", "kinship",
        r"\s*(?:و|مع|ومع)\s*(?:ابنه|ابنته|بنته|طفله|طفلته|نجله|ابنها|ابنتها|بنتها|طفلها|طفلتها|نجلها|ولده|ولدها|حفيده|حفيدته|حفيدها|حفيدتها|"
        r"ابنهما|ابنتهما|طفلهما|طفلتهما|ابنهم|ابنتهم)\s+[\"“”«]?([\u0621-\u064A]{3,})[\"“”»]?\s*(?:[،,.:)]|$|"
        r"(?=(?:ب(?:قصف|رصاص|انفجار|غارة|قذيفة|قذائف|صاروخ)|جراء|إثر|اثر|في|على|نتيجة|متأثر\S*|بعد|أثناء|خلال)(?![\u0621-\u064A])))",
        (" وابنه عمر،", " وبنته ريماس.", " وطفلها يامن", " وبنته ريماس بقصف مدفعي", " وطفلتها هبة بقصف جوي", "، وابنهما أحمد",
         " مع طفله مجد بقصف على إدلب", " مع ابنته \"سلمى\" بقصف روسي"), (" وابنه عمر الخطيب والد الشهيد",),
        why="a child named by given name only after a named parent carries the parent's family name"),
    Cue("ar.children_of", "ar", "kinship",
        r"\s*[،,]?\s*(?:وهم\s+|وهما\s+)?(?:أبناء|ابناء|أولاد|اولاد|أطفال|اطفال|ابنا|ابني|ابنتا|ابنتي|بنات|نجلا|نجلي)\s+"
        r"(?!(?:بلدة|مدينة|قرية|حي|محافظة|ريف|منطقة|عشيرة|قبيلة|الطائفة|طائفة|المنطقة|البلدة|المدينة|القرية)(?![\u0621-\u064A]))(?=[\u0621-\u064A])",
        (" أبناء خالد العلي", "، وهما ابنا محمود الحسن"), (" من أبناء بلدة تفتناز",),
        why="read right after given names joined by و: whose children they are; each takes the parent's name"),
    Cue("ar.title", "ar", "title", _alternation(
        "المدرس", "المدرسة", "المعلم", "المعلمة", "المهندس", "المهندسة", "المحامي", "المحامية", "النقيب", "الملازم", "العقيد",
        "الرقيب", "المساعد", "المواطنين", "المدنيين", "الطفلين", "الطفلتين", "الشقيقين", "الأخوين", "الاخوين", "الشابين", "الأعزل",
        "الاعزل", "الطفلة", "الطفل", "الشابة", "الشاب", "السيدة", "المواطنة", "المواطن", "الطبيبة", "الطبيب", "الدكتور", "الممرضة",
        "الممرض", "المسعف", "الصحفي", "الناشط", "الإعلامي", "المتطوع", "العامل", "الرجل", "المسن", "المسنة", "الحاجة", "الحاج",
        "الفتى", "الفتاة", "الرضيع", "الرضيعة", "الشهيدة", "الشهيد", "المدني", "المدنية", "السيد", "القاصر", "القاصرة", "المدنيان",
        "المواطنان", "الطفلان", "الشقيقان", "الشابان", "الأخوان", "الاخوان", "المغدور", "المغدورة", "الضحية",
        "المزارع", "الراعي", "التاجر", "السائق", "الطالب", "الطالبة", "المختار", "الأب", "الأم", "الجد", "الجدة", "المدرّس",
        "القيادي", "القائد", "العنصر", "المقاتل", "الوجيه", "الناشطة", "الصحفية", "الإعلامية",
        # Ranks, as army and police lists write them ("الملازم أول A", "المجند B").
        "العريف", "المجند", "العميد", "الرائد", "المقدم", "المجند", "الجندي", "الشرطي"),
        ("استشهد الطفل", "مقتل الشابين", "تم اغتيال القيادي"), ("مقتل طفل",), why="a title with the article before a name"),
    Cue("ar.bare_title", "ar", "title", _alternation(
        "مدني", "مدنية", "طفل", "طفلة", "شاب", "شابة", "رجل", "امرأة", "مواطن", "مواطنة", "الشابان", "الطفلان", "الشقيقان", "الشابين",
        "الطفلين", "الشقيقين"),
        ("قتل مدني", "مقتل شاب"), ("استشهد الأب",), why="titles without the article, only right after a verb of dying"),
    Cue("ar.kin", "ar", "kinship", _alternation(
        "ابنته", "ابنتها", "ابنه", "ابنها", "زوجته", "زوجها", "شقيقته", "شقيقه", "طفله", "طفلها", "وابنته", "وابنتها", "وابنه", "وابنها",
        "والدته", "والده", "وزوجته", "وزوجها", "وشقيقته", "وشقيقه", "وطفله", "وطفلها", "ووالدته", "ووالده", "بنته", "وبنته", "بنتها", "وبنتها"),
        ("وطفله", "وبنته"), ("طفل",), why="kin named beside a victim: a name after them is a name even if it is also a word"),
)

_BY_ID = {c.id: c for c in CUES}
if len(_BY_ID) != len(CUES):
    raise RuntimeError("two cues share an id")


def cue(cue_id: str) -> re.Pattern[str]:
    """The compiled pattern of cue ``cue_id`` (KeyError for an unknown id)."""
    return _BY_ID[cue_id].regex


def pattern(cue_id: str) -> str:
    """The pattern text of cue ``cue_id``, for building larger patterns from it."""
    return _BY_ID[cue_id].pattern


def words(cue_id: str) -> frozenset[str]:
    """The words of a word-list cue (a title or kinship list)."""
    return frozenset(_BY_ID[cue_id].pattern.split("|"))
