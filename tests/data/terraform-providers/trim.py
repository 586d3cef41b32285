#!/usr/bin/env python3
"""Trim a provider schema to the types tests/output/ checks against.

usage: trim.py FULL.json types.txt OUT.json

FULL.json is a provider's whole schema in the format described in README.md (made
from the provider's CDKTF package); types.txt lists `resource TYPE` and `data TYPE`
lines. OUT.json keeps, for the listed types of that provider, their arguments and
attributes, the provider's own arguments, and every nested block they reach.
"""
import json
import sys


def main(full_path, types_path, out_path):
    full = json.load(open(full_path))
    wanted = {'resource': set(), 'data': set()}
    for line in open(types_path):
        line = line.split('#', 1)[0].strip()
        if line:
            kind, name = line.split()
            wanted[kind].add(name)
    out = {
        'provider_version': full['provider_version'],
        'provider': {'args': full['provider']['args']} if full.get('provider') else None,
        'resources': {},
        'data_sources': {},
        'structs': {},
    }
    for kind, section in (('resource', 'resources'), ('data', 'data_sources')):
        for name in sorted(wanted[kind]):
            if name in full[section]:
                entry = full[section][name]
                out[section][name] = {'args': entry['args'], 'attrs': entry['attrs']}
    structs = full['structs']
    attrs = structs.get('__attrs__', {})
    stack = [entry['args'] for section in ('resources', 'data_sources')
             for entry in out[section].values()]
    if out['provider']:
        stack.append(out['provider']['args'])
    kept = {}
    while stack:
        for argument in stack.pop().values():
            kind = argument['type']
            if isinstance(kind, dict) and 'block' in kind and kind['block'] not in kept:
                name = kind['block']
                kept[name] = structs.get(name) or {}
                stack.append(kept[name])
    out['structs'] = {name: kept[name] for name in sorted(kept)}
    out['structs']['__attrs__'] = {name: attrs[name] for name in sorted(kept) if name in attrs}
    with open(out_path, 'w') as handle:
        json.dump(out, handle, indent=1, sort_keys=True)
        handle.write('\n')
    print(f"{out_path}: {len(out['resources'])} resources, {len(out['data_sources'])} data "
          f"sources, {len(kept)} nested blocks (provider {out['provider_version']})")


if __name__ == '__main__':
    main(*sys.argv[1:])
