#!/usr/bin/env bash
# The install proof of Entra Desk's packages, on Debian 12:
#   1. build the .deb and .rpm (scripts/package.sh; timed), unless --no-build;
#   2. inspect the .deb (dpkg-deb --info/--contents): name, version, dependencies (against
#      what the binaries link: ELF NEEDED -> owning package), files, owners and modes;
#      the .rpm with rpm(8) when it is installed;
#   3. dpkg -i it into this machine (apt-get -f install only if a dependency is missing);
#   4. start the INSTALLED app from its menu entry under Xvfb over WebDriver, with nothing
#      configured (fresh HOME and XDG folders), and reach the signed-in first screen on the
#      demo tenant (tests/e2e/tests/package.rs); its data must land in the per-user data
#      folder and nothing be written next to the installed files;
#   5. the installed entractl: --version, bash completion, man page;
#   6. dpkg -r and --purge, then show that nothing it installed is left behind.
# Ends with "package: N passed, M failed". Needs root or sudo (it installs a package).
# Logs: target/test-logs/package*.log; screenshots: target/e2e-artifacts/package/.
# Usage: tests/package/run.sh [--no-build]
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
logs="$root/target/test-logs"
mkdir -p "$logs"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
passed=0
failed=0
failures=()
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$1"; }
ko() { failed=$((failed + 1)); failures+=("$1"); printf '  FAIL %s\n' "$1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/       /' | head -n 40; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1 output
  shift
  if output=$("$@" 2>&1); then ok "$what"; else ko "$what" "$output"; fi
}
finish() {
  echo
  echo "package: the proof took $(( $(date +%s) - proof_started )) s"
  [ "${#failures[@]}" -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
  echo "package: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
proof_started=$(date +%s)
stage() { printf '\n=== package: %s ===\n' "$1"; }

version=$(scripts/version.sh) || { echo "package: 0 passed, 1 failed"; exit 1; }
app_id=$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["identifier"])')
arch=$(dpkg --print-architecture)
deb="$root/target/package/entra-desk_${version}_${arch}.deb"
rpm_file=$(ls "$root"/target/package/entra-desk-"$version"-*.rpm 2>/dev/null | head -n 1)

# 0. What the proof itself needs (the app's own libraries come from scripts/setup.sh).
scripts/setup.sh --for-tests || { echo "setup failed"; echo "package: 0 passed, 1 failed"; exit 1; }

# 1. Build.
if [ "${1:-}" != "--no-build" ]; then
  stage "build (scripts/package.sh)"
  echo "  building the release app and entractl, then the bundles (about 15–30 min on two cores; log: target/test-logs/package-build.log)"
  t=$(date +%s)
  # Under umask 077, with a checkout file made owner-only as such a checkout would have it: the
  # packages must ship the same modes whatever the packager's umask (checked below, every entry).
  chmod 0600 icons/32x32.png
  if (umask 077 && scripts/package.sh) > "$logs/package-build.log" 2>&1; then
    ok "scripts/package.sh built the packages in $(( $(date +%s) - t )) s"
  else
    chmod 0644 icons/32x32.png
    ko "scripts/package.sh (after $(( $(date +%s) - t )) s)" "$(tail -n 40 "$logs/package-build.log")"
    finish
  fi
  chmod 0644 icons/32x32.png
  grep -E '^package: ' "$logs/package-build.log" | sed 's/^/  /'
  rpm_file=$(ls "$root"/target/package/entra-desk-"$version"-*.rpm 2>/dev/null | head -n 1)
fi
[ -f "$deb" ] || { ko "the .deb exists ($deb)"; finish; }

# 2. Inspect the .deb.
stage "inspect $(basename "$deb")"
info=$(dpkg-deb --info "$deb")
printf '%s\n' "$info" | sed -n '/Package:/,$p' | sed 's/^/  | /'
field() { dpkg-deb --field "$deb" "$1"; }
check "Package is entra-desk" test "$(field Package)" = entra-desk
check "Version is $version (the workspace's)" test "$(field Version)" = "$version"
check "Architecture is $arch" test "$(field Architecture)" = "$arch"
check "Maintainer is a name and an e-mail address ($(field Maintainer))" bash -c '[[ "$1" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]]' _ "$(field Maintainer)"
check "Description is set" test -n "$(field Description | sed -n 1p | grep -v '(none)')"
depends=$(field Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3 libssl3 xdg-utils 'default-dbus-session-bus | dbus-session-bus'; do
  check "Depends on $dep" grep -qF "$dep" <<< "$depends"
done
check "Recommends a Secret Service (gnome-keyring | …)" grep -q gnome-keyring <<< "$(field Recommends)"

contents=$(dpkg-deb --contents "$deb")
printf '%s\n' "$contents" > "$logs/package-contents.txt"
# Paths as "./usr/…" whether the archive writes them with "./" (dpkg-deb) or without (Tauri's bundler).
paths=$(awk '{ p = $6; for (i = 7; i <= NF; i++) p = p " " $i; sub(/^(\.\/)?/, "./", p); print p }' <<< "$contents")
expect=(
  ./usr/bin/entra-desk ./usr/bin/entractl "./usr/share/applications/$app_id.desktop"
  ./usr/share/man/man1/entractl.1.gz ./usr/share/man/man1/entractl-login.1.gz
  ./usr/share/bash-completion/completions/entractl ./usr/share/zsh/vendor-completions/_entractl
  ./usr/share/fish/vendor_completions.d/entractl.fish ./usr/share/doc/entra-desk/changelog.gz
  ./usr/share/doc/entra-desk/copyright ./usr/share/doc/entra-desk/third-party-licenses.txt.gz
  ./usr/share/icons/hicolor/scalable/apps/entra-desk.svg
)
for size in 16x16 24x24 32x32 48x48 64x64 128x128 128x128@2 256x256 512x512; do
  expect+=("./usr/share/icons/hicolor/$size/apps/entra-desk.png")
done
missing=()
for p in "${expect[@]}"; do grep -qxF "$p" <<< "$paths" || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then ok "contents: the app, entractl, menu entry, icons 16–512 + scalable, man pages, completions, changelog, licences"; else ko "contents" "missing: ${missing[*]}"; fi
check "the menu entry is the only one, named after the app ID ($app_id.desktop)" \
  test "$(grep -c '/usr/share/applications/.*\.desktop$' <<< "$paths")" = 1
check "every entry is owned by root (uid/gid 0)" test -z "$(awk '$2 != "root/root" && $2 != "0/0"' <<< "$contents")"
bin_entries=$(grep -E ' (\./)?usr/bin/.' <<< "$contents")
check "/usr/bin holds exactly entra-desk and entractl, both -rwxr-xr-x" \
  test "$(awk '$1 == "-rwxr-xr-x" { n++ } END { print n + 0 }' <<< "$bin_entries") $(wc -l <<< "$bin_entries")" = "2 2"
check "nothing is world-writable, setuid or setgid" test -z "$(awk 'substr($1, 9, 1) == "w" && substr($1, 1, 1) != "l" || $1 ~ /[sS]/' <<< "$contents")"
check "other files are -rw-r--r--, folders drwxr-xr-x" \
  test -z "$(grep -vE ' (\./)?usr/bin/.' <<< "$contents" | awk '!($1 == "-rw-r--r--" || $1 == "drwxr-xr-x")')"

# What the binaries link against, mapped to the packages that hold those libraries: each must be
# a declared dependency, or a dependency of one (libc6 and friends come with webkit and gtk).
unpacked=$(mktemp -d -t entra-deb-XXXXXX)
dpkg-deb -x "$deb" "$unpacked"
declared=$(tr ',|' '\n\n' <<< "$depends" | sed -E 's/\(.*\)//; s/ //g' | grep -v '^$' | sort -u)
closure=$(for d in $declared; do echo "$d"; dpkg-query -W -f='${Depends},${Pre-Depends}\n' "$d" 2>/dev/null | tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/:any//; s/ //g'; done | grep -v '^$' | sort -u)
uncovered=()
for bin in "$unpacked/usr/bin/entra-desk" "$unpacked/usr/bin/entractl"; do
  for lib in $(readelf -d "$bin" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p'); do
    pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
    printf '  %-14s %-28s %s\n' "$(basename "$bin")" "$lib" "${pkg:-?}"
    grep -qxF "${pkg:-?}" <<< "$closure" || uncovered+=("$(basename "$bin"): $lib (${pkg:-no package})")
  done
done
if [ "${#uncovered[@]}" -eq 0 ]; then ok "every library the binaries link is covered by Depends"; else ko "libraries not covered by Depends" "${uncovered[*]}"; fi
check "both binaries are stripped (no symbol table, no debug info)" \
  bash -c 'for b in "$@"; do ! readelf -S "$b" | grep -qE "\.(symtab|debug_info)\b" || { echo "$b is not stripped"; exit 1; }; done' _ \
  "$unpacked/usr/bin/entra-desk" "$unpacked/usr/bin/entractl"
desktop_in_deb=$(find "$unpacked/usr/share/applications" -name '*.desktop' | head -n 1)
printf '  | %s\n' "$(basename "$desktop_in_deb")" && sed 's/^/  | /' "$desktop_in_deb"
check "menu entry: Exec=entra-desk, Icon=entra-desk, Categories set" \
  bash -c 'grep -qx "Exec=entra-desk" "$1" && grep -qx "Icon=entra-desk" "$1" && grep -qE "^Categories=.+;" "$1"' _ "$desktop_in_deb"
if command -v desktop-file-validate > /dev/null; then
  check "desktop-file-validate accepts the menu entry" desktop-file-validate "$desktop_in_deb"
fi
doc="$unpacked/usr/share/doc/entra-desk"
check "copyright: Debian's machine-readable format, Entra Desk under MIT with its text" \
  bash -c 'head -n 1 "$1" | grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" &&
    grep -qx "License: MIT" "$1" && grep -q "Permission is hereby granted" "$1"' _ "$doc/copyright"
# (Read from a file: the text is close to a megabyte, too long for an argument.)
third_party="$unpacked/third-party-licenses.txt"
zcat "$doc/third-party-licenses.txt.gz" > "$third_party" 2>/dev/null
echo "  | $(sed -n 3p "$third_party")"
check "third-party licences: the linked crates (tauri, rusqlite, reqwest, keyring) with their licence texts" \
  bash -c 'for c in tauri rusqlite reqwest keyring; do grep -qE "^$c [0-9]" "$1" || { echo "no $c"; exit 1; }; done;
    grep -q "Apache License" "$1" && grep -q "Permission is hereby granted" "$1"' _ "$third_party"
rm -rf "$unpacked"

if [ -n "$rpm_file" ]; then
  if command -v rpm > /dev/null; then
    stage "inspect $(basename "$rpm_file")"
    rpm -qip "$rpm_file" 2>/dev/null | sed 's/^/  | /'
    check "rpm: name entra-desk, version $version" test "$(rpm -qp --qf '%{NAME} %{VERSION}' "$rpm_file" 2>/dev/null)" = "entra-desk $version"
    rpm_files=$(rpm -qlp "$rpm_file" 2>/dev/null)
    check "rpm: ships both binaries, menu entry ($app_id.desktop, the only one), man page, completions" bash -c 'test "$(grep -c "^/usr/share/applications/" <<< "$1")" = 1 || { echo "menu entries: $(grep "^/usr/share/applications/" <<< "$1")"; exit 1; }; for p in /usr/bin/entra-desk /usr/bin/entractl "/usr/share/applications/$2.desktop" /usr/share/man/man1/entractl.1.gz /usr/share/bash-completion/completions/entractl /usr/share/zsh/site-functions/_entractl /usr/share/fish/vendor_completions.d/entractl.fish /usr/share/icons/hicolor/48x48/apps/entra-desk.png; do grep -qxF "$p" <<< "$1" || { echo "missing $p"; exit 1; }; done' _ "$rpm_files" "$app_id"
    check "rpm: requires webkit2gtk 4.1, gtk 3, libdbus, libssl" bash -c 'r=$(rpm -qRp "$1" 2>/dev/null); for d in "libwebkit2gtk-4.1.so.0()(64bit)" "libgtk-3.so.0()(64bit)" "libdbus-1.so.3()(64bit)" "libssl.so.3()(64bit)"; do grep -qxF "$d" <<< "$r" || { echo "missing $d in: $r"; exit 1; }; done' _ "$rpm_file"
    check "rpm: licences in /usr/share/licenses/entra-desk" bash -c 'grep -qx /usr/share/licenses/entra-desk/LICENSE <<< "$1" && grep -qx /usr/share/licenses/entra-desk/third-party-licenses.txt <<< "$1"' _ "$rpm_files"
    # Every entry: root's, the programs -rwxr-xr-x, other files -rw-r--r--, folders drwxr-xr-x.
    check "rpm: every entry is root's, /usr/bin's two programs -rwxr-xr-x, files -rw-r--r--, folders drwxr-xr-x" \
      bash -c 'rpm -qlvp "$1" 2>/dev/null | awk "{ want = \$9 ~ /^\/usr\/bin\// ? \"-rwxr-xr-x\" : (\$1 ~ /^d/ ? \"drwxr-xr-x\" : \"-rw-r--r--\") }
        \$1 != want || \$3 != \"root\" || \$4 != \"root\" { bad = 1; print } END { exit bad }"' _ "$rpm_file"
  else
    check "rpm: $(basename "$rpm_file") is an RPM file (rpm(8) is not installed: contents not inspected)" \
      test "$(head -c 4 "$rpm_file" | od -An -tx1 | tr -d ' \n')" = "edabeedb"
  fi
fi

# 3. Install.
stage "dpkg -i"
if dpkg-query -W -f='${Status}' entra-desk 2>/dev/null | grep -q installed; then
  echo "  (entra-desk was installed before this run: purging it first)"
  $sudo_cmd dpkg --purge entra-desk > /dev/null
fi
if ! $sudo_cmd dpkg -i "$deb" > "$logs/package-install.log" 2>&1; then
  echo "  dpkg -i left dependencies unmet; installing them with apt-get -f install"
  $sudo_cmd apt-get update -qq >> "$logs/package-install.log" 2>&1
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -f -y -qq --no-install-recommends >> "$logs/package-install.log" 2>&1
fi
if ! dpkg-query -W -f='${Status}' entra-desk 2>/dev/null | grep -q "install ok installed"; then
  ko "dpkg -i installed entra-desk" "$(tail -n 20 "$logs/package-install.log")"
  finish
fi
ok "dpkg -i installed entra-desk $(dpkg-query -W -f='${Version}' entra-desk)"
listing=$(dpkg -L entra-desk)
printf '%s\n' "$listing" > "$logs/package-installed-files.txt"
listed_files=$(while IFS= read -r p; do [ -d "$p" ] || printf '%s\n' "$p"; done <<< "$listing")
excluded_man=""
grep -qs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/* && excluded_man=yes
check "every file dpkg lists is on disk" bash -c 'while IFS= read -r p; do
  if [ ! -e "$p" ] && ! { [ -n "$2" ] && [[ "$p" == /usr/share/man/* ]]; }; then echo "missing $p"; exit 1; fi
done <<< "$1"' _ "$listed_files" "$excluded_man"
check "installed binaries are 0755 root:root" \
  test "$(stat -c '%a %U:%G' /usr/bin/entra-desk /usr/bin/entractl | sort -u)" = "755 root:root"

# 4. The installed app, from its menu entry, on the demo tenant with nothing configured.
stage "the installed app under Xvfb over WebDriver"
desktop_file=$(grep -E '^/usr/share/applications/.*\.desktop$' <<< "$listing" | head -n 1)
home=$(mktemp -d -t entra-package-home-XXXXXX)
# The test binary is built before the clock starts, so that what is written during the run is the app's.
cargo test -p entra-e2e --test package --no-run > "$logs/package-e2e-build.log" 2>&1 \
  || { ko "build the package e2e test" "$(tail -n 30 "$logs/package-e2e-build.log")"; }
stamp=$(mktemp -t entra-package-stamp-XXXXXX)
sleep 1
xvfb-run -a -s "-screen 0 1400x900x24" scripts/with-keyring.sh \
  env ENTRA_PACKAGE_DESKTOP_FILE="$desktop_file" ENTRA_PACKAGE_HOME="$home" \
  cargo test -p entra-e2e --test package -- --ignored --test-threads=1 --nocapture > "$logs/package-e2e.log" 2>&1
status=$?
if [ "$status" -eq 0 ] && grep -qE '^test result: ok\. 1 passed' "$logs/package-e2e.log"; then
  ok "started from '$(basename "$desktop_file")' and signed in to the demo tenant (Demo Admin)"
else
  ko "the installed app reaches the signed-in first screen" "$(grep -vE '^\s+(Compiling|Finished|Running)' "$logs/package-e2e.log" | tail -n 30)"
fi
grep -E '^package: data folder' "$logs/package-e2e.log" | sed 's/^/  /'
check "its data is in the per-user data folder (\$HOME/.local/share/entra-desk)" test -d "$home/.local/share/entra-desk"
echo "  what the app wrote in the fresh home:"
(cd "$home" && find . -mindepth 1 -maxdepth 3 -type d | sort | sed 's/^/    /')
# Nothing written next to the installed files (every folder the package put a file in, and /usr/lib/entra-desk).
written=$(while IFS= read -r p; do dirname "$p"; done <<< "$listed_files" | sort -u \
  | xargs -d '\n' -I{} find {} /usr/lib/entra-desk -maxdepth 1 -newer "$stamp" 2>/dev/null | sort -u)
check "nothing was written next to the installed files" test -z "$written"
rm -f "$stamp"

# 5. The installed entractl.
stage "the installed entractl"
check "entractl on PATH is /usr/bin/entractl" test "$(command -v entractl)" = /usr/bin/entractl
check "entractl --version prints entractl $version" test "$(entractl --version)" = "entractl $version"
check "entractl --help hides the packagers' commands" bash -c '! entractl --help | grep -qE "^\s+(completions|man)\b"'
completion=$(bash -c 'source /usr/share/bash-completion/completions/entractl && complete -p entractl &&
  COMP_WORDS=(entractl gr); COMP_CWORD=1; COMP_LINE="entractl gr"; COMP_POINT=${#COMP_LINE};
  _entractl entractl gr entractl; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
printf '%s\n' "$completion" | sed 's/^/  | /'
check "bash completion: registered, and 'entractl gr<Tab>' completes to groups" \
  bash -c 'grep -q "^complete .* entractl$" <<< "$1" && grep -qx groups <<< "$1"' _ "$completion"
if command -v zsh > /dev/null; then
  check "zsh completion loads (compinit finds _entractl)" zsh -fc 'autoload -U compinit && compinit -u && (( $+_comps[entractl] ))'
else
  check "zsh completion is a #compdef file" grep -q '^#compdef entractl' /usr/share/zsh/vendor-completions/_entractl
fi
if command -v fish > /dev/null; then
  check "fish completion: complete -C 'entractl gr' offers groups" bash -c 'fish -c "complete -C \"entractl gr\"" | grep -q "^groups"'
else
  check "fish completion defines entractl's completions" grep -q '^complete -c entractl' /usr/share/fish/vendor_completions.d/entractl.fish
fi
manual=/usr/share/man/man1/entractl.1.gz
[ -e "$manual" ] || manual=""
if [ -n "$manual" ]; then
  page=$(MANWIDTH=100 man -P cat entractl 2>/dev/null || zcat "$manual")
else # dpkg is told to skip man pages on this machine (path-exclude): read the page from the package
  page=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/man/man1/entractl.1.gz | zcat)
fi
printf '%s\n' "$page" | head -n 12 | sed 's/^/  | /'
check "man entractl: the page names its commands and the version" \
  bash -c 'grep -qiE "entractl.*(login|groups)" <<< "$1" && grep -q "$2" <<< "$1"' _ "$page" "$version"

# 6. Remove, and show nothing is left.
stage "dpkg -r, dpkg --purge"
check "dpkg -r entra-desk" $sudo_cmd dpkg -r entra-desk
check "dpkg --purge entra-desk" $sudo_cmd dpkg --purge entra-desk
check "dpkg no longer knows entra-desk" bash -c '! dpkg-query -W -f="\${Status}" entra-desk 2>/dev/null | grep -q installed'
left=()
while IFS= read -r p; do
  [ -n "$p" ] || continue
  [ -e "$p" ] || [ -L "$p" ] || continue
  # The root, which dpkg-deb lists for every package it builds ("/.").
  [ "$p" != "/." ] || continue
  # A folder still there must belong to another package (/usr/bin, /usr/share/icons/hicolor/…).
  if [ -d "$p" ] && [ ! -L "$p" ] && dpkg -S "$p" > /dev/null 2>&1; then continue; fi
  left+=("$p")
done <<< "$listing"
if [ "${#left[@]}" -eq 0 ]; then
  ok "nothing it installed is left ($(wc -l <<< "$listed_files") files, folders only where other packages own them)"
else
  ko "left behind after purge" "$(printf '%s\n' "${left[@]}")"
fi
rm -rf "$home"
finish
