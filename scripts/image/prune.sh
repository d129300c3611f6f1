#!/usr/bin/env bash
# mmdebstrap customize hook of build.sh ($1: the root): drops what a server host never reads (documentation,
# man pages, locales, firmware for other architectures) and the kernel drivers it does not need, then rebuilds
# the module index and the initramfs so that neither carries them.
set -euo pipefail
root=$1
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian "$root"/usr/share/locale/*
rm -rf "$root"/usr/share/qemu/edk2-a* "$root"/usr/share/qemu/edk2-arm* "$root"/usr/share/qemu/edk2-riscv* \
  "$root"/usr/share/qemu/edk2-loongarch*
for kdir in "$root"/lib/modules/*; do
  k=$kdir/kernel
  rm -rf "$k"/drivers/gpu "$k"/sound "$k"/drivers/media "$k"/drivers/net/wireless "$k"/net/wireless \
    "$k"/net/mac80211 "$k"/drivers/infiniband "$k"/drivers/staging "$k"/drivers/iio "$k"/drivers/bluetooth \
    "$k"/net/bluetooth "$k"/drivers/nfc "$k"/net/nfc "$k"/drivers/isdn "$k"/drivers/input/joystick \
    "$k"/drivers/input/touchscreen "$k"/drivers/input/tablet "$k"/drivers/net/wwan "$k"/drivers/net/can \
    "$k"/net/can "$k"/drivers/video/fbdev "$k"/drivers/net/ethernet/mellanox/mlx5/core/en_accel
  chroot "$root" depmod "$(basename "$kdir")"
done
chroot "$root" update-initramfs -u -k all
