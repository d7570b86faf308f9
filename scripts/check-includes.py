#!/usr/bin/env python3
"""check-includes.py [SRC] — the layering rule of docs/architecture.md.

A file under src/FOLDER/ may include its own folder and folders on lower
layers, never a folder on its own layer (a sibling) or above. Every
violation is printed as `file:line: includes "x/y.h": why`; the exit status
is 1 when there is one. Quoted includes must name their folder
("core/err.h"), so the rule can be read from the text alone.
"""
import os
import re
import sys

# Lowest first. Folders on one line are siblings: none includes another.
LAYERS = [
    ["core"],                                 # errors, buffers, arena, clock, log, hashing, JSON input
    ["gis"],                                  # geometry, CRS, hexagons, WKT
    ["db"],                                   # connections, migrations, statements, writer, worker contexts
    ["http"],                                 # server, route matching, requests, query parameters
    ["features", "auth", "questions", "media", "mail"],  # engines every feature shares; media: photos; mail: the outbox
    ["feedback", "reference", "survey", "budget", "walk", "places"],  # the kinds of data; places: the gazetteer
    ["ogc", "open311", "stats", "exchange", "feeds", "tiles"],  # doors onto the data: protocols, statistics, files, map tiles
    ["cli"],                                  # the program: commands and the route table
]
LEVEL = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check(src):
    bad = []
    for root, _dirs, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            folder = rel.split(os.sep)[0]
            if folder not in LEVEL:
                bad.append(f"{path}: folder '{folder}' is on no layer; add it to LAYERS")
                continue
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    target = inc.split("/")[0] if "/" in inc else None
                    if target is None:
                        bad.append(f'{path}:{n}: includes "{inc}": name its folder ("{folder}/{inc}")')
                    elif target not in LEVEL:
                        continue  # generated sources and system headers found by quotes
                    elif target == folder:
                        continue
                    elif LEVEL[target] == LEVEL[folder]:
                        bad.append(f'{path}:{n}: includes "{inc}": {target}/ is a sibling of {folder}/ '
                                   f"(same layer); move what both need lower")
                    elif LEVEL[target] > LEVEL[folder]:
                        bad.append(f'{path}:{n}: includes "{inc}": {target}/ is above {folder}/; '
                                   f"a lower layer never includes a higher one")
    return bad


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    bad = check(src)
    for line in bad:
        print(line)
    print(f"include rule: {len(bad)} violation{'s' if len(bad) != 1 else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
