# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, configure, build.
# Sourced, not run.

PAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAY_BUILD_DIR="${PAY_BUILD_DIR:-$PAY_ROOT/build}"

# Debian packages the build and the tests need.
PAY_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  librocksdb-dev libsodium-dev libssl-dev libboost-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libxml2-dev
  libgtest-dev libgmock-dev libbenchmark-dev time
  libicu-dev
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the packages that are not installed yet (apt-get update runs only when needed).
pay_install_deps() {
  local missing=()
  for package in "${PAY_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures (once) and builds the given targets (all when none) in $PAY_BUILD_DIR.
# Extra CMake flags: PAY_CMAKE_FLAGS. Parallelism: PAY_JOBS (default: the number of cores).
pay_build() {
  if [ ! -f "$PAY_BUILD_DIR/build.ninja" ]; then
    log "configuring $PAY_BUILD_DIR"
    # shellcheck disable=SC2086
    cmake -S "$PAY_ROOT" -B "$PAY_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      ${PAY_CMAKE_FLAGS:-}
  fi
  log "building ${*:-everything} (this takes a few minutes the first time)"
  if [ $# -gt 0 ]; then
    cmake --build "$PAY_BUILD_DIR" -j "${PAY_JOBS:-$(nproc)}" --target "$@"
  else
    cmake --build "$PAY_BUILD_DIR" -j "${PAY_JOBS:-$(nproc)}"
  fi
}
