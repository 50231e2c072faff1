#!/usr/bin/env bash
# The consumer.deb_package test: makes the Debian packages with `cpack -G DEB`, checks the headers
# package's file name, architecture and dependencies (and the compiled library's package's), installs
# the packages with apt-get, builds the find_package consumer and a pkg-config-only consumer against
# /usr, in both modes, runs the installed tool,
# and removes the packages again. apt installs into /, so that part needs root (CI runs as root);
# otherwise the test stops after the package checks and reports itself skipped (exit 77).
# Usage: deb_package.sh SOURCE_DIR BUILD_DIR WORK_DIR CXX VERSION HAVE_LIBDEFLATE(ON|OFF)
set -euo pipefail
source_dir=$1 build_dir=$2 work=$3 cxx=$4 version=$5 have_libdeflate=$6
consumers="$source_dir/tests/consumers"
rm -rf "$work" && mkdir -p "$work"

cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/packages" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
deb="$work/packages/wandb-imagemask_${version}_all.deb"
if [[ ! -f "$deb" ]]; then
  echo "FAILED: cpack made no $(basename "$deb"), only: $(ls "$work/packages")"
  exit 1
fi
expected_depends="libxtensor-dev, nlohmann-json3-dev (>= 3.9), libstb-dev"
[[ "$have_libdeflate" == ON ]] && expected_depends+=", libdeflate-dev"
check_field() {
  local actual
  actual="$(dpkg-deb -f "$deb" "$1")"
  if [[ "$actual" != "$2" ]]; then
    echo "FAILED: $(basename "$deb") has $1: '$actual', expected '$2'"
    exit 1
  fi
}
check_field Package wandb-imagemask
check_field Version "$version"
check_field Architecture all
check_field Depends "$expected_depends"
unexpected="$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -Ev '^\./(usr/((include|share|share/doc|share/cmake|share/pkgconfig)/)?)?$' |
  grep -Ev '^\./usr/(include/wandb/|share/cmake/wandb_imagemask/|share/doc/wandb-imagemask/|share/pkgconfig/wandb_imagemask\.pc$)' || true)"
if [[ -n "$unexpected" ]]; then
  echo "FAILED: $(basename "$deb") holds files outside the library's directories: $unexpected"
  exit 1
fi
packages=("$deb")
compiled_deb="$(find "$work/packages" -maxdepth 1 -name "wandb-imagemask-compiled_${version}_*.deb")"
if [[ -z "$compiled_deb" && -f "$build_dir/libwandb-imagemask.a" ]]; then
  echo "FAILED: the build has the compiled library but cpack made no wandb-imagemask-compiled package: $(ls "$work/packages")"
  exit 1
fi
if [[ -n "$compiled_deb" ]]; then
  compiled_depends="$(dpkg-deb -f "$compiled_deb" Depends)"
  if [[ "$compiled_depends" != "wandb-imagemask (= $version)" ]]; then
    echo "FAILED: $(basename "$compiled_deb") has Depends: '$compiled_depends', expected 'wandb-imagemask (= $version)'"
    exit 1
  fi
  compiled_files="$(dpkg-deb -c "$compiled_deb" | awk '{print $6}')"
  for wanted in 'libwandb-imagemask\.a$' 'cmake/wandb_imagemask/wandb_imagemaskCompiledTargets\.cmake$' \
                'pkgconfig/wandb_imagemask_compiled\.pc$'; do
    grep -Eq "^\./usr/lib/(.*/)?$wanted" <<< "$compiled_files" ||
      { echo "FAILED: $(basename "$compiled_deb") has no /usr/lib/.../$wanted: $compiled_files"; exit 1; }
  done
  if grep -q '^\./usr/include/' <<< "$compiled_files"; then
    echo "FAILED: $(basename "$compiled_deb") holds headers, which are wandb-imagemask's"
    exit 1
  fi
  packages+=("$compiled_deb")
  echo "made $(basename "$compiled_deb") (Depends: $compiled_depends)"
fi
tool_deb="$(find "$work/packages" -maxdepth 1 -name "wandb-imagemask-tool_${version}_*.deb")"
if [[ -n "$tool_deb" ]]; then
  packages+=("$tool_deb")
  echo "made $(basename "$deb") (Depends: $expected_depends) and $(basename "$tool_deb") (Depends: $(dpkg-deb -f "$tool_deb" Depends))"
else
  echo "made $(basename "$deb") (Depends: $expected_depends); no tool package (WANDB_IMAGEMASK_BUILD_TOOLS is OFF)"
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "SKIPPED the install: apt-get installs into / and needs root (CI runs as root)"
  exit 77
fi
if dpkg-query -W -f='${Status}' wandb-imagemask 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIPPED the install: wandb-imagemask is already installed on this machine; not replacing it"
  exit 77
fi
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }
remove_packages() { apt_get remove --purge wandb-imagemask wandb-imagemask-compiled wandb-imagemask-tool > "$work/remove.log" 2>&1 || cat "$work/remove.log"; }
trap remove_packages EXIT
apt_get install --no-install-recommends "${packages[@]}" > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }

# Only what the packages installed below /usr: no prefix paths from the environment.
unset CMAKE_PREFIX_PATH PKG_CONFIG_PATH
cmake -S "$consumers/find_package" -B "$work/find_package" -DCMAKE_CXX_COMPILER="$cxx" > "$work/find_package.log" 2>&1 ||
  { cat "$work/find_package.log"; exit 1; }
found="$(sed -n 's/^wandb_imagemask_DIR:PATH=//p' "$work/find_package/CMakeCache.txt")"
if [[ "$found" != /usr/share/cmake/wandb_imagemask ]]; then
  echo "FAILED: find_package found wandb_imagemask in '$found', not in the package's /usr/share/cmake/wandb_imagemask"
  exit 1
fi
cmake --build "$work/find_package" > "$work/find_package.build.log" 2>&1 || { cat "$work/find_package.build.log"; exit 1; }
"$work/find_package/consumer" > /dev/null
echo "find_package consumer against the package: OK"

pcfile="$(pkg-config --variable=pcfiledir wandb_imagemask)"
if [[ "$pcfile" != /usr/share/pkgconfig ]]; then
  echo "FAILED: pkg-config found wandb_imagemask.pc in '$pcfile', not in /usr/share/pkgconfig"
  exit 1
fi
flags="$(pkg-config --cflags --libs wandb_imagemask)"
# shellcheck disable=SC2086  # the flags are words
"$cxx" -std=c++17 "$consumers/consumer.cpp" $flags -o "$work/pkg_config_consumer"
"$work/pkg_config_consumer" > /dev/null
echo "pkg-config consumer against the package ($flags): OK"

if [[ -n "$compiled_deb" ]]; then
  cmake -S "$consumers/compiled_find_package" -B "$work/compiled_find_package" -DCMAKE_CXX_COMPILER="$cxx" \
    > "$work/compiled_find_package.log" 2>&1 || { cat "$work/compiled_find_package.log"; exit 1; }
  cmake --build "$work/compiled_find_package" > "$work/compiled_find_package.build.log" 2>&1 ||
    { cat "$work/compiled_find_package.build.log"; exit 1; }
  "$work/compiled_find_package/consumer" > /dev/null
  echo "compiled find_package consumer against the package: OK"
  flags="$(pkg-config --cflags --libs wandb_imagemask_compiled)"
  # shellcheck disable=SC2086  # the flags are words
  "$cxx" -std=c++17 "$consumers/consumer.cpp" $flags -o "$work/compiled_pkg_config_consumer"
  "$work/compiled_pkg_config_consumer" > /dev/null
  echo "compiled pkg-config consumer against the package ($flags): OK"
fi

if [[ -n "$tool_deb" ]]; then
  tool_version="$(/usr/bin/wandb-imagemask --version)"
  if [[ "$tool_version" != "wandb-imagemask $version" ]]; then
    echo "FAILED: /usr/bin/wandb-imagemask --version printed '$tool_version'"
    exit 1
  fi
  echo "the tool package's /usr/bin/wandb-imagemask runs: OK"
fi
