#!/usr/bin/env bash
# Installs the system packages Vidence needs on Debian/Ubuntu, only those missing.
set -euo pipefail
packages=(
  pkg-config clang libclang-dev                      # ffmpeg-sys bindings
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev
  ffmpeg                                             # benchmarks compare against the ffmpeg program
  libvulkan1 mesa-vulkan-drivers                     # wgpu on Mesa's lavapipe for headless GUI tests
  xvfb libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6  # a real window without a display
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v cargo >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
