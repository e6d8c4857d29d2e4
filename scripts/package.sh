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
# The menu entry is installed under the app's ID (tauri.conf.json's identifier), the reverse-DNS
# name desktops match a running window by: GNOME on Wayland looks up "<app ID>.desktop" for the
# window's app ID (the GTK application ID Tauri sets), so "Entra Desk.desktop", the name Tauri's
# bundler gives it, would leave the window without its icon in the dock. The bundler has no
# setting for that name, so each package is rewritten with the entry renamed: dpkg-deb for the
# .deb, rpmbuild (from the bundler's own header: name, version, requirements) for the .rpm.
#
# What the packages ship has the modes we mean whatever the caller's umask or the checkout's
# modes: files 0644, folders 0755, the two programs 0755, set on the trees the packages are
# rewritten from (the proof builds them under umask 077 and checks every entry of both).
#
# Usage: scripts/package.sh [deb|rpm|deb,rpm]   (default: deb,rpm)
set -euo pipefail
umask 022
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

scripts/setup.sh --for-packages
app_id=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["identifier"])')
product=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["productName"])')

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

# The modes every entry gets, whatever it had in the tree (see the top of this file).
normalize_modes() { # TREE
  find "$1" -path "$1/DEBIAN" -prune -o -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
  chmod 0755 "$1"/usr/bin/*
}

# The .deb again, from the bundler's tree, with the menu entry renamed and the checksums redone.
rewrite_deb() { # BUNDLED OUT
  local tree
  tree=$(mktemp -d -t entra-deb-tree-XXXXXX)
  dpkg-deb -R "$1" "$tree"
  mv "$tree/usr/share/applications/$product.desktop" "$tree/usr/share/applications/$app_id.desktop"
  normalize_modes "$tree"
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$tree/DEBIAN/md5sums"
  chmod 0644 "$tree/DEBIAN/md5sums"
  dpkg-deb --root-owner-group -Zgzip -b "$tree" "$2" > /dev/null
  rm -rf "$tree"
}

# The .rpm again, built by rpmbuild from the bundler's payload and header (its requirements as
# they were: no automatic ones), with the menu entry renamed.
rewrite_rpm() { # BUNDLED OUT
  local tree top spec
  tree=$(mktemp -d -t entra-rpm-tree-XXXXXX)
  top=$(mktemp -d -t entra-rpm-top-XXXXXX)
  # rpm2cpio exits 1 on the bundler's .rpm although its payload is whole: what counts is that every
  # file the header lists came out.
  rpm2cpio "$1" > "$top/payload.cpio" 2> /dev/null || true
  (cd "$tree" && cpio -idm --quiet < "$top/payload.cpio")
  rm -f "$top/payload.cpio"
  if [ "$(rpm -qlp "$1" 2> /dev/null | wc -l)" != "$(find "$tree" -type f | wc -l)" ]; then
    say "the payload of $1 did not come out whole (rpm2cpio)"; exit 1
  fi
  mv "$tree/usr/share/applications/$product.desktop" "$tree/usr/share/applications/$app_id.desktop"
  normalize_modes "$tree"
  q() { rpm -qp --qf "$1" "$2" 2>/dev/null; }
  spec="$top/entra-desk.spec"
  {
    echo "Name: $(q '%{NAME}' "$1")"
    echo "Version: $(q '%{VERSION}' "$1")"
    echo "Release: $(q '%{RELEASE}' "$1")"
    echo "Summary: $(q '%{SUMMARY}' "$1")"
    echo "License: $(q '%{LICENSE}' "$1")"
    echo "BuildArch: $(q '%{ARCH}' "$1")"
    echo "AutoReqProv: no"
    rpm -qp --requires "$1" 2>/dev/null | grep -v '^rpmlib(' | sed 's/^/Requires: /'
    rpm -qp --recommends "$1" 2>/dev/null | sed 's/^/Recommends: /'
    echo "%description"
    q '%{DESCRIPTION}' "$1"
    echo
    echo "%install"
    echo "cp -a '$tree/.' %{buildroot}/"
    echo "%files"
    echo "%defattr(-,root,root,-)"
    (cd "$tree" && find . -type f -printf '"/%P"\n' | LC_ALL=C sort)
  } > "$spec"
  rpmbuild -bb --quiet --define "_topdir $top" --define "_build_id_links none" --define "debug_package %{nil}" \
    --define "__os_install_post %{nil}" --define "_binary_payload w6.gzdio" "$spec" > "$top/rpmbuild.log" 2>&1 \
    || { cat "$top/rpmbuild.log" >&2; say "rpmbuild could not rebuild $1"; exit 1; }
  cp "$top"/RPMS/*/*.rpm "$2"
  rm -rf "$tree" "$top"
}

# Under the distributions' usual names (the bundler names them after the product name, with a space).
mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.rpm
for f in "$target_dir"/release/bundle/deb/*_"$version"_*.deb; do
  if [ -e "$f" ]; then arch=${f##*_}; rewrite_deb "$f" "$out/entra-desk_${version}_$arch"; fi
done
for f in "$target_dir"/release/bundle/rpm/*-"$version"-*.rpm; do
  if [ -e "$f" ]; then rewrite_rpm "$f" "$out/entra-desk-$version-${f##*-"$version"-}"; fi
done
say "release build ${build_seconds} s, bundling ${bundle_seconds} s, packaging $(( $(date +%s) - started )) s in all"
ls -l "$out"/*.deb "$out"/*.rpm 2>/dev/null || { say "no package was produced"; exit 1; }
