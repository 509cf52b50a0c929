#!/bin/sh
# Builds the Windows installer on Debian 12, from Debian's own packages only:
#   target/windows/capture-station-<version>.msi
# It cross-compiles this project for x86_64-pc-windows-gnu with Debian's Rust (rustc-web,
# cargo-web and the standard library's source, rust-web-src, rebuilt for Windows with
# -Zbuild-std) and MinGW-w64, then packs the two programs, the icon and the licences into an MSI
# with msitools (tools/windows/pack-msi.sh).
#
#   tools/windows/build.sh                 # the installer a booth gets (release profile)
#   tools/windows/build.sh windows-test    # the lighter profile the tests install under Wine
#
# Needs root for apt-get the first time (skipped when everything is there already).
set -eu

profile=${1:-release}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=x86_64-pc-windows-gnu
build_dir="$root/target/windows-build"
out_dir="$root/target/windows"

packages="rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wixl msitools"
missing=""
for package in $packages; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
    apt-get update
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing
fi

# Debian's toolchain, not the project's rustup one: it ships the standard library's source.
# Static C runtime: the installed programs need no MinGW DLL beside them.
env RUSTC=/usr/bin/rustc \
    RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_TARGET_DIR="$build_dir" \
    /usr/bin/cargo build --locked --profile "$profile" \
        -Zbuild-std=std,panic_unwind --target "$target" \
        --features windows-launcher \
        --bin capture-station --bin capture-station-window

bin="$build_dir/$target/$profile"
[ "$profile" = dev ] && bin="$build_dir/$target/debug"
stage="$out_dir/$profile"
mkdir -p "$stage"
for exe in capture-station.exe capture-station-window.exe; do
    x86_64-w64-mingw32-strip -o "$stage/$exe" "$bin/$exe"
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
msi="$out_dir/capture-station-$version"
[ "$profile" = release ] || msi="$msi-$profile"
"$root/tools/windows/pack-msi.sh" "$version" "$stage" "$msi.msi"
echo "$msi.msi"
