#!/usr/bin/env python3
"""Prints the man page's key list from the one action table (core/action.h)
and the default keymap (keymaps/vim.keys). The CLI tests check that llmops.1
holds exactly this text, so the two cannot drift apart."""
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
acts = []  # (group, name, help)
group = None
for line in open(f"{root}/core/action.h"):
    g = re.search(r'G\("([^"]+)"\)', line)
    if g:
        group = g.group(1)
    x = re.search(r'X\(\w+, "([^"]+)", "([^"]+)"\)', line)
    if x:
        acts.append((group, x.group(1), x.group(2)))
keys = {}
for line in open(f"{root}/keymaps/vim.keys"):
    w = line.split()
    if len(w) == 4 and w[0] == "bind":
        keys.setdefault(w[3], []).append(w[2] if w[1] == "generic" else f"{w[2]} ({w[1]})")
out = []
last = None
for grp, name, help_ in acts:
    if grp != last:
        out.append(f".SS {grp}")
        last = grp
    k = ", ".join(keys.get(name, [])) or "(unbound)"
    k = k.replace("\\", "\\\\").replace("-", "\\-")
    out.append(".TP")
    out.append(f".B {k}")
    out.append(f"{name.replace('-', chr(92) + '-')}: {help_}")
print("\n".join(out))
