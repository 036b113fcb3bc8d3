"""Write pytickersymbols' index data as JSON, for internal/starter to read.

The package holds, per stock index, its member companies as Wikipedia's
infoboxes describe them (CC BY-SA 4.0). Nothing is changed here: the Go
side turns the records into facts, so the conversion is tested in Go.

Usage: python dump.py OUT.json
"""

import json
import sys
from importlib.metadata import version

from pytickersymbols.indices_data import INDICES


def main(out):
    data = {
        "package": "pytickersymbols",
        "version": version("pytickersymbols"),
        "indices": [INDICES[k] for k in sorted(INDICES)],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
