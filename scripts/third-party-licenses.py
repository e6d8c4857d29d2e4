#!/usr/bin/env python3
"""The licence files the packages ship, generated from Cargo's own dependency graph.

Writes, into the folder given:
  copyright                Debian's machine-readable copyright file (DEP-5) for Entra Desk itself,
                           with a pointer to the third-party file below;
  third-party-licenses.txt every crate statically linked into entra-desk or entractl (name, version,
                           SPDX licence expression, repository), then each distinct licence text
                           those crates ship (LICENSE*, LICENCE*, COPYING*, NOTICE*), with the
                           crates it belongs to.

Why generated: the binaries link a few hundred crates from crates.io; MIT, BSD and Apache-2.0 ask that
their notices travel with the binaries, and a hand-kept list would drift with every `cargo update`.
Only crates reached through normal dependencies of the two shipped binaries count: build scripts,
proc macros and dev-dependencies are not in the package.

Usage: scripts/third-party-licenses.py OUT_DIR
Fails (exit 2) when a shipped crate declares no licence at all, so that nothing unlicensed ships unnoticed.
"""

import json
import os
import subprocess
import sys

SHIPPED = ("entra-desk", "entractl")
LICENSE_PREFIXES = ("license", "licence", "copying", "notice", "unlicense")


def cargo_metadata():
    host = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    triple = next(line.split(": ", 1)[1] for line in host.splitlines() if line.startswith("host: "))
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", triple],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def is_proc_macro(package):
    return any("proc-macro" in target["kind"] for target in package["targets"])


def shipped_packages(meta):
    """Every package reached from the shipped binaries through normal (linked) dependencies."""
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    roots = [p["id"] for p in meta["packages"] if p["name"] in SHIPPED and p["id"] in meta["workspace_members"]]
    missing = set(SHIPPED) - {packages[r]["name"] for r in roots}
    if missing:
        sys.exit(f"third-party-licenses: no workspace package named {', '.join(sorted(missing))}")
    seen, stack = set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            # dep_kinds' kind is null for a normal dependency, "build" or "dev" otherwise.
            # A proc macro runs in the compiler and is not linked (its package may also have test targets).
            if any(k["kind"] is None for k in dep["dep_kinds"]) and not is_proc_macro(packages[dep["pkg"]]):
                stack.append(dep["pkg"])
    members = set(meta["workspace_members"])
    return sorted((packages[p] for p in seen if p not in members), key=lambda p: (p["name"], p["version"]))


def license_texts(package):
    folder = os.path.dirname(package["manifest_path"])
    names = set()
    if package.get("license_file"):
        names.add(package["license_file"])
    for entry in sorted(os.listdir(folder)):
        if entry.lower().startswith(LICENSE_PREFIXES) and os.path.isfile(os.path.join(folder, entry)):
            names.add(entry)
    texts = []
    for name in sorted(names):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                texts.append((name, f.read().strip()))
    return texts


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/third-party-licenses.py OUT_DIR")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    meta = cargo_metadata()
    crates = shipped_packages(meta)

    unlicensed = [f"{p['name']} {p['version']}" for p in crates if not (p.get("license") or p.get("license_file"))]
    if unlicensed:
        print(f"third-party-licenses: these shipped crates declare no licence: {', '.join(unlicensed)}", file=sys.stderr)
        sys.exit(2)

    # Licence text -> crates shipping it, so that a text shared by 200 crates appears once. Texts that differ
    # only in white space count as one (the first one seen is kept).
    by_text, first_seen = {}, {}
    without_text = []
    for p in crates:
        texts = license_texts(p)
        if not texts:
            without_text.append(p)
        for _, text in texts:
            key = " ".join(text.split())
            first_seen.setdefault(key, text)
            by_text.setdefault(first_seen[key], []).append(f"{p['name']} {p['version']}")

    lines = [
        "Third-party software in Entra Desk",
        "",
        f"The entra-desk and entractl binaries statically link these {len(crates)} Rust crates from crates.io.",
        "Each is listed with its version, its licence (an SPDX expression, as the crate declares it) and its source.",
        "",
    ]
    for p in crates:
        licence = p.get("license") or f"see {p['license_file']}"
        source = p.get("repository") or f"https://crates.io/crates/{p['name']}"
        lines.append(f"{p['name']} {p['version']}  ({licence})  {source}")
    lines += ["", "Licence texts, as the crates ship them", ""]
    for text, owners in sorted(by_text.items(), key=lambda item: item[1][0]):
        lines.append("=" * 78)
        lines.append("Shipped by: " + ", ".join(owners))
        lines.append("-" * 78)
        lines.append(text)
        lines.append("")
    if without_text:
        lines.append("=" * 78)
        lines.append("These crates ship no licence file; their licence is the standard text of the SPDX")
        lines.append("identifier they declare (above): " + ", ".join(f"{p['name']} {p['version']}" for p in without_text))
        lines.append("")
    with open(os.path.join(out, "third-party-licenses.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

    with open(os.path.join(root, "LICENSE"), encoding="utf-8") as f:
        own = f.read()
    notice = next(line for line in own.splitlines() if line.startswith("Copyright"))
    mit_body = own.split(notice, 1)[1].strip()
    body = "\n".join(" " + line if line.strip() else " ." for line in mit_body.splitlines())
    copyright_file = (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: Entra Desk\n"
        "Comment: The binaries also contain the Rust crates listed, with their licence texts,\n"
        " in /usr/share/doc/entra-desk/third-party-licenses.txt.gz.\n"
        "\n"
        "Files: *\n"
        f"Copyright: {notice.replace('Copyright (c) ', '')}\n"
        "License: MIT\n"
        "\n"
        "License: MIT\n"
        f"{body}\n"
    )
    with open(os.path.join(out, "copyright"), "w", encoding="utf-8") as f:
        f.write(copyright_file)
    print(f"third-party-licenses: {len(crates)} crates, {len(by_text)} distinct licence texts, "
          f"{len(without_text)} crates without a licence file", file=sys.stderr)


if __name__ == "__main__":
    main()
