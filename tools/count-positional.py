#!/usr/bin/env python3
"""Counts what issue 10 ("typed payloads") is about, over every Java file under the repo root.

1. Positional construction of long records: `new X(` of a record with more than 6 components,
   in a file outside the record's own package (main and test sources).
2. String switching on the closed sets: `switch` over (with string-literal case labels), or
   `.equals(` against, the string fields task / modelType / device / strategy / ifOutputExists.

Usage: python3 tools/count-positional.py [--list] [ROOT]
"""
import os
import re
import sys
from collections import Counter, defaultdict

LIMIT = 6
FIELDS = ["task", "modelType", "device", "strategy", "ifOutputExists"]


def java_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in (".git", "target", ".trainyard", "node_modules")]
        for f in files:
            if f.endswith(".java"):
                yield os.path.join(d, f)


def strip(src):
    """Source with comments and string/char literals blanked (offsets kept)."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith('"""', i):
            j = src.find('"""', i + 3)
            j = n if j < 0 else j + 3
            out.append('"' + re.sub(r"[^\n]", " ", src[i + 1 : j - 1]) + '"')
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def components(text, start):
    """Number of top-level components in the parenthesised list opening at text[start]."""
    depth, angle, count, seen = 0, 0, 0, False
    for ch in text[start:]:
        if ch == "(":
            depth += 1
            if depth == 1:
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return count + (1 if seen else 0)
        elif depth == 1:
            if ch == "<":
                angle += 1
            elif ch == ">":
                angle -= 1
            elif ch == "," and angle == 0:
                count += 1
                seen = False
                continue
        if depth >= 1 and not ch.isspace():
            seen = True
    return count


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    listing = "--list" in sys.argv
    root = args[0] if args else "."
    files = {}
    for path in sorted(java_files(root)):
        with open(path, encoding="utf-8") as fh:
            files[path] = strip(fh.read())
    pkg_of = {}
    records = defaultdict(list)  # simple name -> [(package, components)]
    for path, text in files.items():
        m = re.search(r"^\s*package\s+([\w.]+)\s*;", text, re.M)
        pkg_of[path] = m.group(1) if m else ""
        for r in re.finditer(r"\brecord\s+(\w+)\s*(<[^>]*>)?\s*\(", text):
            records[r.group(1)].append((pkg_of[path], components(text, r.end() - 1)))
    declared = defaultdict(set)  # package -> every class, interface, enum and record name
    for path, text in files.items():
        for d in re.finditer(r"\b(?:class|interface|enum|record)\s+(\w+)", text):
            declared[pkg_of[path]].add(d.group(1))
    long_records = {
        name: defs for name, defs in records.items() if any(c > LIMIT for _, c in defs)
    }
    hits = Counter()
    where = defaultdict(list)
    for path, text in files.items():
        for m in re.finditer(r"\bnew\s+(?:[\w]+\.)*(\w+)\s*\(", text):
            name = m.group(1)
            if name not in long_records:
                continue
            defs = records[name]
            own = [c for p, c in defs if p == pkg_of[path]]
            if own or name in declared[pkg_of[path]]:
                continue  # this package's own type of that name (long or short) is built at home
            if len(defs) > 1:
                # Several records share the name: count only when the file imports a long one.
                imported = [
                    c for p, c in defs if re.search(rf"^\s*import\s+{re.escape(p)}\.", text, re.M)
                ]
                if not any(c > LIMIT for c in imported):
                    continue
            hits[name] += 1
            line = text.count("\n", 0, m.start()) + 1
            where[name].append(f"{os.path.relpath(path, root)}:{line}")
    print(f"records with more than {LIMIT} components:")
    for name in sorted(long_records):
        for pkg, c in long_records[name]:
            print(f"  {pkg}.{name} ({c})")
    print(f"positional constructions outside the record's package: {sum(hits.values())}")
    for name, n in hits.most_common():
        print(f"  {name}: {n}")
        if listing:
            for w in where[name]:
                print(f"    {w}")

    field = "|".join(FIELDS)
    acc = rf"(?:\b(?:{field})\b(?:\s*\(\s*\))?)"
    patterns = {
        "switch": re.compile(rf"\bswitch\s*\(\s*[\w.()]*?{acc}\s*\)"),
        "equals": re.compile(
            rf"(?:{acc}\s*\.\s*equals(?:IgnoreCase)?\s*\()"
            rf"|(?:\"\s*\.\s*equals(?:IgnoreCase)?\s*\(\s*[\w.()]*?{acc}\s*\))"
        ),
    }
    # equals against a literal needs the literal, so scan the unstripped source for those.
    counts = Counter()
    swhere = defaultdict(list)
    for path, text in files.items():
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
        for kind, pat in patterns.items():
            src = raw if kind == "equals" else text
            for m in pat.finditer(src):
                if kind == "equals" and text[m.start()].isspace():
                    continue  # inside a comment
                if kind == "switch" and not re.match(r"\s*\{\s*case\s+\"", raw[m.end() :]):
                    continue  # a switch over an enum: its labels are constants, not strings
                counts[kind] += 1
                line = raw.count("\n", 0, m.start()) + 1
                swhere[kind].append(f"{os.path.relpath(path, root)}:{line}")
    print(
        "string switch/equals on " + ", ".join(FIELDS) + ": "
        f"{counts['switch'] + counts['equals']}"
        f" (switch {counts['switch']}, equals {counts['equals']})"
    )
    if listing:
        for kind in ("switch", "equals"):
            for w in swhere[kind]:
                print(f"    {kind} {w}")


if __name__ == "__main__":
    main()
