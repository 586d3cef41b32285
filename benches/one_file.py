#!/usr/bin/env python3
"""The workloads of a synthetic platform moved into one file (docs/performance.md).

    benches/one_file.py DIR

Every `workloads/*.plat` of DIR is replaced by `workloads/all.plat`, which holds the
same workloads in the same order under one import of every module they imported, so
that the same platform can be measured in N files and in one.
"""
import pathlib
import re
import sys

workloads = pathlib.Path(sys.argv[1]) / "workloads"
modules = []
bodies = []
for path in sorted(workloads.glob("*.plat")):
    for line in path.read_text().splitlines(keepends=True):
        found = re.fullmatch(r"import std\.(?:\{(.*)\}|(\w+))\s*", line)
        if found:
            for name in (found.group(1) or found.group(2)).split(","):
                if name.strip() not in modules:
                    modules.append(name.strip())
        else:
            bodies.append(line)
    bodies.append("\n")
    path.unlink()
header = "import std.{%s}\n\n" % ", ".join(modules) if modules else ""
(workloads / "all.plat").write_text(header + "".join(bodies))
