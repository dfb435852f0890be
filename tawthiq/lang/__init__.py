"""Arabic and Latin script handling, shared by extraction and matching.

Extraction (``tawthiq.extractors``) and matching (``tawthiq.dedupe``) read the same names, places,
dates and numbers, so they must read them the same way. Both import this package; neither
imports the other (``tests/test_lang.py`` checks it).

* :mod:`~tawthiq.lang.arabic`: folding, titles, name links, the given-name lexicon, ``عبد``
  compounds, a readable Latin rendering of Arabic-script names;
* :mod:`~tawthiq.lang.latin`: folding, titles, links, articles and ``Abd al-`` compounds of
  names in Latin transliteration;
* :mod:`~tawthiq.lang.names`: the cross-script skeleton of a name and its parts (given name,
  father, grandfather, family);
* :mod:`~tawthiq.lang.numbers`: digits and number words in both languages;
* :mod:`~tawthiq.lang.dates`: dates in free text and form answers, in both languages;
* :mod:`~tawthiq.lang.places`: Syria's governorates and towns in both scripts (the gazetteer);
* :mod:`~tawthiq.lang.text`: decoding bytes, telling the language of a text, bidi controls.
"""
