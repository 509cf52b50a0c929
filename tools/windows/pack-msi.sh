#!/bin/sh
# Packs the two Windows programs, the icon and the licences into an MSI with msitools:
#   tools/windows/pack-msi.sh VERSION BIN_DIR OUTPUT.msi
# BIN_DIR holds capture-station.exe and capture-station-window.exe. Run from anywhere; paths may
# be absolute.
#
# Two quirks of msitools 0.101 are handled here:
# - wixl opens source files only by relative paths, so it runs from the project root with the
#   programs' folder given relative to it (an absolute path is copied in).
# - wixl sets Product/@Codepage on the summary only: the tables keep code page 0, the ANSI code
#   page of whoever reads them. Its strings are written in the code page of WINDOWS_LANGUAGE
#   (zh_CN: 936), then msibuild imports _ForceCodepage so that every Windows reads 学历照片采集站
#   as GBK, whatever its own language.
set -eu

version=$1
bin=$2
output=$3
root=$(cd "$(dirname "$0")/../.." && pwd)

case "$bin" in
/*) ;;
*) bin="$(pwd)/$bin" ;;
esac
case "$output" in
/*) ;;
*) output="$(pwd)/$output" ;;
esac

stage="target/windows/pack-$$"
cd "$root"
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$root/$stage"' EXIT
cp "$bin/capture-station.exe" "$bin/capture-station-window.exe" "$stage/"

codepage_table="$stage/_ForceCodepage.idt"
printf '\r\n\r\n936\t_ForceCodepage\r\n' > "$codepage_table"

rm -f "$output"
WINDOWS_LANGUAGE=zh_CN wixl --arch x64 \
    -D Version="$version" -D Bin="$stage" -D Root=. \
    -o "$output" assets/windows/capture-station.wxs
WINDOWS_LANGUAGE=zh_CN msibuild "$output" -i "$codepage_table"

# A string the code page could not hold would be dropped without a word: refuse that.
product=$(msiinfo export "$output" Property | sed -n 's/^ProductName\t//p')
case "$product" in
学历照片采集站*) ;;
*) echo "pack-msi: the MSI lost its Chinese name (ProductName '$product')" >&2; exit 1 ;;
esac
