#!/usr/bin/env bash
# Writes OUT/vessel-host.img from the boot set in OUT/boot (step "disk" of build.sh; alone, it re-makes the disk of
# a finished build). Usage: disk.sh OUT WORK
# One FAT32 partition of an MBR disk holds the boot set under /live and two boot loaders reading one syslinux.cfg:
#   BIOS: Debian's MBR code, then SYSLINUX installed in the partition's boot sector (syslinux, syslinux-common);
#   UEFI: SYSLINUX's EFI loader at the removable-media path /EFI/BOOT/BOOTX64.EFI (syslinux-efi), which firmware
#   such as OVMF starts from a FAT partition with no boot entry of its own.
set -euo pipefail
out=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
efi=/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi
e64=/usr/lib/syslinux/modules/efi64/ldlinux.e64
bytes=$(du -cb "$out"/boot/* | tail -1 | cut -f1)
part_mib=$((bytes / 1048576 + 40))
part=$work/boot.part
rm -f "$part" && truncate -s "${part_mib}M" "$part"
mkfs.vfat -F 32 -n VESSELBOOT "$part" >/dev/null
mmd -i "$part" ::/live ::/syslinux ::/EFI ::/EFI/BOOT
mcopy -i "$part" "$out"/boot/* ::/live/
mcopy -i "$part" "$here/syslinux.cfg" ::/syslinux/syslinux.cfg
# SYSLINUX's EFI loader reads the configuration and its ldlinux module from its own folder.
mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$part" "$e64" ::/EFI/BOOT/ldlinux.e64
mcopy -i "$part" "$here/syslinux.cfg" ::/EFI/BOOT/syslinux.cfg
syslinux --install --directory /syslinux "$part"
img=$out/vessel-host.img
rm -f "$img" && truncate -s "$((part_mib + 1))M" "$img"
echo 'start=2048, type=c, bootable' | sfdisk -q --label dos "$img"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
dd if="$part" of="$img" bs=1M seek=1 conv=notrunc status=none
rm -f "$part"
