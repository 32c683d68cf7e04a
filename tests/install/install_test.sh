#!/usr/bin/env bash
# The installed fixgate as its users meet it (ctest -L install; tests/install/CMakeLists.txt):
#   install_test.sh prefix      cmake --install --strip into $WORK/prefix; the files there
#   install_test.sh cmake       examples/ out of tree with find_package(fixgate), shared library
#   install_test.sh cmake-static                 ... with FIXGATE_USE_STATIC_LIBS=ON
#   install_test.sh pkg-config  examples/*.cc by plain compiler command lines with pkg-config
#                               (shared, and static with --static), run by examples/' tests
#   install_test.sh headers [HEADER…]  each installed header compiles alone, pulling in nothing
#                               but itself, fixgate headers and the C++ and C libraries' headers
#   install_test.sh deb         cpack -G DEB, checked with dpkg-deb and dpkg -x (no installation)
# The environment names the build: FIXGATE_BUILD_DIR, FIXGATE_SOURCE_DIR, FIXGATE_VERSION,
# FIXGATE_SOVERSION, FIXGATE_LIBDIR, FIXGATE_DICT_DIR, CXX; WORK is the folder the tests share.
set -euo pipefail
: "${FIXGATE_BUILD_DIR:?}" "${FIXGATE_SOURCE_DIR:?}" "${FIXGATE_VERSION:?}" "${FIXGATE_SOVERSION:?}"
: "${FIXGATE_LIBDIR:?}" "${FIXGATE_DICT_DIR:?}" "${CXX:?}" "${WORK:?}"
PREFIX=$WORK/prefix
EXAMPLES=$FIXGATE_SOURCE_DIR/examples

fail() {
  echo "install_test: $*" >&2
  exit 1
}

# run LOG COMMAND…: the command's output goes to LOG, shown if it fails.
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "failed: $* (log: $log)"
  fi
}

# has PATTERN COMMAND…: whether the command's output matches (whole output read: no SIGPIPE
# for the command when grep has seen enough, which pipefail would count as a failure).
has() {
  local output
  output=$("${@:2}")
  grep -q -- "$1" <<<"$output"
}

# links_libfixgate PROGRAM yes|no: whether PROGRAM loads libfixgate.so at run time.
links_libfixgate() {
  local found=no
  if has "libfixgate\.so\.$FIXGATE_SOVERSION => $PREFIX/" ldd "$1"; then found=yes; fi
  [[ $found == "$2" ]] || fail "$1: loads libfixgate.so from $PREFIX: $found, expected $2"
}

# examples_ctest BUILD_DIR: examples/' own tests on what BUILD_DIR holds.
examples_ctest() {
  run "$1/ctest.log" ctest --test-dir "$1" --output-on-failure --no-tests=error
  grep -q "100% tests passed" "$1/ctest.log" || fail "examples' tests did not pass in $1"
}

case ${1:-} in
prefix)
  rm -rf "$WORK"
  mkdir -p "$WORK"
  run "$WORK/install.log" cmake --install "$FIXGATE_BUILD_DIR" --prefix "$PREFIX" --strip
  lib=$PREFIX/$FIXGATE_LIBDIR
  for f in bin/fixgated bin/fixgate include/fixgate/version.h include/fixgate/codec/message.h \
    lib/systemd/system/fixgated.service \
    "$FIXGATE_LIBDIR/libfixgate.a" "$FIXGATE_LIBDIR/libfixgate.so" \
    "$FIXGATE_LIBDIR/cmake/fixgate/fixgate-config.cmake" \
    "$FIXGATE_LIBDIR/cmake/fixgate/fixgate-config-version.cmake" \
    "$FIXGATE_LIBDIR/pkgconfig/fixgate.pc"; do
    [[ -e $PREFIX/$f ]] || fail "$f is not installed"
  done
  soname=$(readelf -d "$lib/libfixgate.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  [[ $soname == "libfixgate.so.$FIXGATE_SOVERSION" ]] || fail "SONAME $soname"
  [[ $(readlink "$lib/libfixgate.so") == "libfixgate.so.$FIXGATE_SOVERSION" ]] ||
    fail "libfixgate.so does not point to libfixgate.so.$FIXGATE_SOVERSION"
  for f in bin/fixgated bin/fixgate "$FIXGATE_LIBDIR/libfixgate.so.$FIXGATE_VERSION"; do
    has ", stripped" file -L "$PREFIX/$f" || fail "$f is not stripped"
  done
  ! has "\.debug_info" readelf -S "$lib/libfixgate.a" || fail "libfixgate.a has debug info"
  # Every layer with headers is in the library: each of include/fixgate/<layer>/ but the
  # header-only base/ has functions of its namespace in both the shared and the static library.
  nm -DC --defined-only "$lib/libfixgate.so" >"$WORK/shared.nm"
  nm -C --defined-only "$lib/libfixgate.a" >"$WORK/static.nm" 2>/dev/null
  for dir in "$PREFIX"/include/fixgate/*/; do
    layer=$(basename "$dir")
    [[ $layer == base ]] && continue
    for nm in shared static; do
      grep -q " T fixgate::$layer::" "$WORK/$nm.nm" ||
        fail "the $nm libfixgate has no function of fixgate::$layer"
    done
  done
  grep -q "^Version: $FIXGATE_VERSION$" "$lib/pkgconfig/fixgate.pc" || fail "fixgate.pc: Version"
  grep -q "^prefix=$PREFIX$" "$lib/pkgconfig/fixgate.pc" || fail "fixgate.pc: prefix"
  echo "installed into $PREFIX"
  ;;

cmake | cmake-static)
  static=OFF
  [[ $1 == cmake-static ]] && static=ON
  dir=$WORK/examples-$1
  rm -rf "$dir"
  run "$WORK/$1-configure.log" cmake -S "$EXAMPLES" -B "$dir" -G Ninja \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_PREFIX_PATH="$PREFIX" -DFIXGATE_USE_STATIC_LIBS=$static \
    -DFIXGATE_DICT_DIR="$FIXGATE_DICT_DIR"
  run "$WORK/$1-build.log" cmake --build "$dir"
  expected=yes
  [[ $static == ON ]] && expected=no
  for program in "$dir"/*; do
    [[ -f $program && -x $program ]] && links_libfixgate "$program" $expected
  done
  examples_ctest "$dir"
  echo "examples built with find_package(fixgate) (static: $static) and run"
  ;;

pkg-config)
  export PKG_CONFIG_PATH=$PREFIX/$FIXGATE_LIBDIR/pkgconfig
  shared=$WORK/pkg-config-shared
  static=$WORK/pkg-config-static
  rm -rf "$shared" "$static"
  mkdir -p "$shared" "$static"
  # As a user types it, compiling once and linking twice: with the shared library, and with the
  # archive and what `--static` adds. The archive is linked whole (not only the members the
  # example uses), so that Libs.private must name every library any part of it needs.
  # shellcheck disable=SC2046  # the flags are meant to be split
  for source in "$EXAMPLES"/*.cc; do
    name=$(basename "$source" .cc)
    run "$static/$name.log" "$CXX" -std=c++20 -Wall -Wextra -Werror -c "$source" \
      -o "$static/$name.o" $(pkg-config --cflags fixgate)
    run "$shared/$name.log" "$CXX" "$static/$name.o" -o "$shared/$name" $(pkg-config --libs fixgate)
    whole_archive="-Wl,--whole-archive -l:libfixgate.a -Wl,--no-whole-archive"
    run "$static/$name.log" "$CXX" "$static/$name.o" -o "$static/$name" \
      $(pkg-config --static --libs fixgate | sed "s/-lfixgate\b/$whole_archive/")
    LD_LIBRARY_PATH=$PREFIX/$FIXGATE_LIBDIR links_libfixgate "$shared/$name" yes
    links_libfixgate "$static/$name" no
  done
  for variant in shared static; do
    dir=$WORK/pkg-config-$variant-run
    rm -rf "$dir"
    run "$dir.log" cmake -S "$EXAMPLES" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" \
      -DFIXGATE_EXAMPLES_PREBUILT="$WORK/pkg-config-$variant" -DFIXGATE_DICT_DIR="$FIXGATE_DICT_DIR"
    LD_LIBRARY_PATH=$PREFIX/$FIXGATE_LIBDIR examples_ctest "$dir"
  done
  echo "examples built with pkg-config (shared and static) and run"
  ;;

headers)
  shift
  export PKG_CONFIG_PATH=$PREFIX/$FIXGATE_LIBDIR/pkgconfig
  cflags=$(pkg-config --cflags fixgate)
  out=$WORK/headers
  rm -rf "$out"
  mkdir -p "$out"
  headers=("$@")
  if ((${#headers[@]} == 0)); then
    mapfile -t headers < <(cd "$PREFIX/include" && find fixgate -name '*.h' | sort)
  fi
  # Each alone in a translation unit; -H lists every file it includes.
  export CXX cflags out
  # shellcheck disable=SC2016  # expanded by the inner shell
  if ! printf '%s\n' "${headers[@]}" | xargs -P "$(nproc)" -I{} sh -c '
      log=$out/$(echo {} | tr / _).log
      echo "#include <{}>" | $CXX -std=c++20 -Wall -Wextra -Werror -fsyntax-only -H $cflags \
        -x c++ - >"$log" 2>&1 ||
        { cat "$log"; echo "install_test: {} does not compile alone"; exit 1; }'; then
    fail "an installed header does not compile by itself"
  fi
  # Outside the prefix, only the C++ and C libraries' headers (so no asio, OpenSSL, pugixml,
  # SQLite or libpq: a user needs none of their headers).
  cat "$out"/*.log | sed -n 's/^\.\+ //p' | sort -u | grep -v "^$PREFIX/" >"$out/outside.txt" || true
  if [[ -s $out/outside.txt ]]; then
    # dpkg -S: "package: path" for each; a path no package owns is an error line of its own.
    xargs dpkg -S <"$out/outside.txt" >"$out/owners.txt" 2>&1 || true
    allowed="libc6-dev|linux-libc-dev|libstdc\+\+-[0-9]+-dev|libgcc-[0-9]+-dev"
    allowed+="|libclang-common-[0-9]+-dev"
    if grep -vE "^($allowed)(:[a-z0-9]+)?: " "$out/owners.txt"; then
      fail "installed headers include the headers above, from outside the C++ and C libraries"
    fi
  fi
  # fixgate/version.h, fixgate.pc and the build agree.
  # shellcheck disable=SC2086  # pkg-config's flags, to be split
  printf '%s\n' '#include <fixgate/version.h>' '#include <cstdio>' \
    'int main() { std::puts(FIXGATE_VERSION_STRING); }' |
    "$CXX" -std=c++20 $cflags -x c++ - -o "$out/version"
  [[ $("$out/version") == "$FIXGATE_VERSION" ]] || fail "fixgate/version.h: $("$out/version")"
  [[ $(pkg-config --modversion fixgate) == "$FIXGATE_VERSION" ]] || fail "fixgate.pc's version"
  echo "${#headers[@]} installed headers compile alone with pkg-config's flags only"
  ;;

deb)
  dir=$WORK/deb
  rm -rf "$dir"
  run "$WORK/cpack.log" cpack -G DEB --config "$FIXGATE_BUILD_DIR/CPackConfig.cmake" -B "$dir"
  deb=$dir/fixgate_${FIXGATE_VERSION}_$(dpkg --print-architecture).deb
  [[ -f $deb ]] || fail "no $deb"
  ls "$dir"/fixgate-dbgsym_"$FIXGATE_VERSION"_*.ddeb >/dev/null || fail "no -dbgsym package"
  # The package's files are exactly what `cmake --install` puts under a prefix, under /usr.
  dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./usr/||' | sort >"$dir/deb.txt"
  (cd "$PREFIX" && find . ! -type d | sed 's|^\./||' | sort) >"$dir/prefix.txt"
  diff "$dir/prefix.txt" "$dir/deb.txt" || fail "the package's files (>) differ from an install's (<)"
  # Control fields.
  [[ $(dpkg-deb -f "$deb" Package) == fixgate ]] || fail "Package"
  [[ $(dpkg-deb -f "$deb" Version) == "$FIXGATE_VERSION" ]] || fail "Version"
  [[ $(dpkg-deb -f "$deb" Maintainer) == *@* ]] || fail "Maintainer: $(dpkg-deb -f "$deb" Maintainer)"
  [[ -n $(dpkg-deb -f "$deb" Description) ]] || fail "no Description"
  depends=$(dpkg-deb -f "$deb" Depends)
  for package in libc6 libstdc++6 libgcc-s1 libssl3 libpq5 libsqlite3-0 libpugixml1v5 \
    libnats3.4; do
    [[ ", $depends," == *", $package "* || ", $depends," == *", $package,"* ]] ||
      fail "Depends has no $package: $depends"
  done
  # Unpacked into a folder, as root would find it installed: stripped programs that run.
  root=$dir/root
  dpkg -x "$deb" "$root"
  for program in fixgated fixgate; do
    has ", stripped" file "$root/usr/bin/$program" || fail "$program is not stripped"
    version=$("$root/usr/bin/$program" --version)
    [[ $version == "$program $FIXGATE_VERSION" ]] || fail "$program --version: $version"
  done
  has ", stripped" file -L "$root/usr/$FIXGATE_LIBDIR/libfixgate.so" ||
    fail "libfixgate.so is not stripped"
  ! has "\.debug_info" readelf -S "$root/usr/$FIXGATE_LIBDIR/libfixgate.a" ||
    fail "libfixgate.a has debug info"
  # And a program builds and runs against the unpacked tree (pkg-config finds its prefix there).
  export PKG_CONFIG_PATH=$root/usr/$FIXGATE_LIBDIR/pkgconfig
  # shellcheck disable=SC2046
  run "$dir/codec_quickstart.log" "$CXX" -std=c++20 "$EXAMPLES/codec_quickstart.cc" \
    -o "$dir/codec_quickstart" $(pkg-config --define-prefix --cflags --libs fixgate)
  LD_LIBRARY_PATH=$root/usr/$FIXGATE_LIBDIR has "Required tag missing" \
    "$dir/codec_quickstart" "$FIXGATE_DICT_DIR/FIX44.xml" ||
    fail "codec_quickstart built against the unpacked package did not run"
  echo "$(basename "$deb"): $(wc -l <"$dir/deb.txt") files; Depends: $depends"
  ;;

*)
  fail "usage: install_test.sh prefix|cmake|cmake-static|pkg-config|headers [HEADER…]|deb"
  ;;
esac
