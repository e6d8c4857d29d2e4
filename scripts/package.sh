#!/usr/bin/env bash
# Builds Entra Desk's installable Linux packages with Tauri's bundler:
#   target/package/entra-desk_VERSION_amd64.deb
#   target/package/entra-desk-VERSION-1.x86_64.rpm
# Each holds the desktop app (/usr/bin/entra-desk, its menu entry and icons) and entractl
# (/usr/bin/entractl, bash/zsh/fish completions and man pages generated from its clap
# definitions). VERSION is the one in the root Cargo.toml ([workspace.package] version).
#
# Only package registries are needed: apt (scripts/setup.sh), npm (the UI, and the Tauri CLI
# unless `cargo tauri` is installed) and crates.io. The deb and rpm bundlers are native Rust;
# AppImage is not built because its bundler downloads tools (linuxdeploy, appimagetool) from GitHub.
#
# Usage: scripts/package.sh [deb|rpm|deb,rpm]   (default: deb,rpm)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bundles=${1:-deb,rpm}
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
# tauri.conf.json's bundle files point here (paths relative to src-tauri/), whatever CARGO_TARGET_DIR is.
stage="$root/target/package/files"
out="$root/target/package"
started=$(date +%s)
say() { printf 'package: %s\n' "$*" >&2; }

version=$(scripts/version.sh) || exit 2
if ! grep -qE "^## \[(Unreleased|${version//./\\.})\]" CHANGELOG.md; then
  say "CHANGELOG.md has neither an [Unreleased] nor a [$version] section"; exit 2
fi

scripts/setup.sh

# The Tauri CLI, of the tauri crate's minor version: `cargo tauri` when installed, else the npm package
# (@tauri-apps/cli ships a prebuilt binary: seconds), else `cargo install tauri-cli` from crates.io into
# $CARGO_TARGET_DIR/tools (about half an hour of compiling on two cores). ENTRA_TAURI_CLI=cargo|npm picks one.
# Pinned, so that the same commit bundles the same way next month; move it with the tauri crate.
tauri_cli_version="2.12.6"
tools="$target_dir/tools"
choice=${ENTRA_TAURI_CLI:-}
if [ -z "$choice" ]; then
  if cargo tauri --version 2>/dev/null | grep -q '^tauri-cli 2\.'; then choice=installed
  elif "$tools/bin/cargo-tauri" --version 2>/dev/null | grep -q '^tauri-cli 2\.'; then choice=cargo
  elif command -v npx > /dev/null; then choice=npm
  else choice=cargo
  fi
fi
case "$choice" in
  installed) tauri=(cargo tauri) ;;
  npm) tauri=(npx --yes "@tauri-apps/cli@$tauri_cli_version") ;;
  cargo)
    if ! "$tools/bin/cargo-tauri" --version 2>/dev/null | grep -q '^tauri-cli 2\.'; then
      say "installing tauri-cli $tauri_cli_version from crates.io into $tools (once)"
      t=$(date +%s)
      cargo install tauri-cli --version "$tauri_cli_version" --locked --root "$tools"
      say "tauri-cli installed in $(( $(date +%s) - t )) s"
    fi
    tauri=("$tools/bin/cargo-tauri" tauri) ;;
  *) say "ENTRA_TAURI_CLI must be cargo or npm, not '$choice'"; exit 2 ;;
esac
say "$("${tauri[@]}" --version)"

# The UI, embedded in the binary.
(cd ui && npm run --silent build)

# The app (release, the UI embedded through its custom-protocol feature, as `tauri build` would) and
# entractl, in one cargo run so that the crates they share are compiled once, with one feature set.
build_started=$(date +%s)
cargo build --release -p entra-desk -p entractl --features entra-desk/custom-protocol
build_seconds=$(( $(date +%s) - build_started ))
entractl="$target_dir/release/entractl"
got=$("$entractl" --version)
[ "$got" = "entractl $version" ] || { say "entractl --version says '$got', Cargo.toml says $version"; exit 2; }

# What the packages ship besides the binaries, generated (tauri.conf.json's bundle files point here).
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/completions" "$stage/man1" "$stage/man1-gz" "$stage/icons" "$stage/doc"
install -m 0755 "$entractl" "$stage/bin/entractl"
if ! "$entractl" completions bash > "$stage/completions/entractl.bash"; then
  say "entractl cannot generate completions: is crates/entractl/src/cmd/completions.rs wired into main.rs?"; exit 2
fi
"$entractl" completions zsh > "$stage/completions/_entractl"
"$entractl" completions fish > "$stage/completions/entractl.fish"
"$entractl" man --out-dir "$stage/man1" > /dev/null
for page in "$stage"/man1/*.1; do
  gzip -9n < "$page" > "$stage/man1-gz/$(basename "$page").gz"
done
gzip -9n < CHANGELOG.md > "$stage/doc/changelog.gz"
# Entra Desk's licence (Debian's copyright file) and every statically linked crate's, from Cargo's graph.
python3 scripts/third-party-licenses.py "$stage/doc"
gzip -9n < "$stage/doc/third-party-licenses.txt" > "$stage/doc/third-party-licenses.txt.gz"
# The hicolor sizes the desktop looks up that icons/ lacks, from the same source (icons/ has 32, 64, 128, 256, 512).
"${tauri[@]}" icon icons/source.svg --output "$stage/icons" --png 16,24,48,256 > /dev/null
chmod -R u=rwX,go=rX "$stage"

# The .deb and .rpm of what was just built.
bundle_started=$(date +%s)
"${tauri[@]}" bundle --ci --bundles "$bundles"
bundle_seconds=$(( $(date +%s) - bundle_started ))

# Copies under the distributions' usual names (the bundler names them after the product name, with a space).
mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.rpm
for f in "$target_dir"/release/bundle/deb/*_"$version"_*.deb; do
  if [ -e "$f" ]; then arch=${f##*_}; cp "$f" "$out/entra-desk_${version}_$arch"; fi
done
for f in "$target_dir"/release/bundle/rpm/*-"$version"-*.rpm; do
  if [ -e "$f" ]; then cp "$f" "$out/entra-desk-$version-${f##*-"$version"-}"; fi
done
say "release build ${build_seconds} s, bundling ${bundle_seconds} s, packaging $(( $(date +%s) - started )) s in all"
ls -l "$out"/*.deb "$out"/*.rpm 2>/dev/null || { say "no package was produced"; exit 1; }
