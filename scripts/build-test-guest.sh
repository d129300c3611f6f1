#!/usr/bin/env bash
# Builds Vessel's tiny test guest from Debian packages only, with no loop devices and no mounts:
#   SeaBIOS -> syslinux MBR -> FAT16 partition -> Debian cloud kernel + busybox initramfs.
#
# Usage: scripts/build-test-guest.sh [--if-missing] [OUT_DIR]
#   OUT_DIR defaults to $VESSEL_GUEST_DIR, else ~/.cache/vessel/guest. KERNEL_DEB=path reuses a kernel .deb.
#   --if-missing: do nothing when OUT_DIR already holds a finished guest. Concurrent runs wait for each other.
#
# Output (in OUT_DIR):
#   guest.raw       boots, prints "VESSEL-GUEST-UP <kver> cpus=N mem_kb=M", looks for an iso9660 CD
#                   (/dev/sr0 /dev/sr1 /dev/vd*) and prints its ovf-env.xml between
#                   "-----BEGIN OVF-ENV-----" / "-----END OVF-ENV-----", prints "GUEST-DONE", powers off.
#   guest-stay.raw  the same initramfs with "vessel.stay" on the kernel command line: after the CD step it prints
#                   "GUEST-READY", runs a shell on the serial port and powers off when the ACPI power button is pressed.
#   ovf-env.iso     a sample OVF environment CD (genisoimage -V OVF-ENV).
#   guest.json      what was built (kernel version, files, marker strings); written last, so its presence means done.
# Needs (Debian): syslinux syslinux-common mtools dosfstools fdisk busybox-static cpio gzip kmod genisoimage.
set -euo pipefail

IF_MISSING=0
if [ "${1:-}" = "--if-missing" ]; then IF_MISSING=1; shift; fi
OUT="${1:-${VESSEL_GUEST_DIR:-$HOME/.cache/vessel/guest}}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
exec 9>"$OUT/.lock"
flock 9 # one build at a time per directory (test workers may ask together)
if [ "$IF_MISSING" = 1 ] && [ -f "$OUT/guest.json" ]; then exit 0; fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vessel-guest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log() { echo "build-test-guest: $*" >&2; }

for tool in mkfs.fat mcopy syslinux sfdisk cpio gzip busybox genisoimage dpkg-deb depmod; do
  command -v "$tool" >/dev/null || { log "missing $tool (run scripts/setup.sh)"; exit 2; }
done
MBR=/usr/lib/syslinux/mbr/mbr.bin
[ -f "$MBR" ] || { log "missing $MBR (apt-get install syslinux-common)"; exit 2; }

# 1. The kernel: the package the linux-image-cloud-amd64 metapackage depends on, cached in $OUT/debs.
mkdir -p "$OUT/debs"
if [ -n "${KERNEL_DEB:-}" ]; then
  DEB="$KERNEL_DEB"
else
  DEB="$(ls -1 "$OUT"/debs/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -n1 || true)"
  if [ -z "$DEB" ]; then
    PKG="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')"
    if [ -z "$PKG" ]; then
      log "apt-cache knows no linux-image-cloud-amd64; running apt-get update"
      apt-get update -qq
      PKG="$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')"
    fi
    log "downloading $PKG"
    (cd "$OUT/debs" && apt-get download -qq "$PKG")
    DEB="$(ls -1 "$OUT"/debs/linux-image-*-cloud-amd64_*.deb | head -n1)"
  fi
fi
dpkg-deb -x "$DEB" "$WORK/kernel"
VMLINUZ="$(ls -1 "$WORK"/kernel/boot/vmlinuz-* | head -n1)"
KVER="${VMLINUZ##*/vmlinuz-}"
KMOD="$WORK/kernel/lib/modules/$KVER"
log "kernel $KVER"

# 2. The initramfs: static busybox, the modules that find a CD on IDE, AHCI, virtio-blk or virtio-scsi, and init.
R="$WORK/root"
mkdir -p "$R"/{bin,dev,proc,sys,mnt,etc,tmp} "$R/lib/modules/$KVER"
cp /bin/busybox "$R/bin/busybox"
MODS="scsi_common scsi_mod cdrom libata ata_piix libahci ahci sr_mod isofs virtio_ring virtio virtio_pci_legacy_dev
  virtio_pci_modern_dev virtio_pci virtio_blk virtio_scsi evdev button"
: >"$R/etc/modules"
for m in $MODS; do
  f="$(find "$KMOD/kernel" -name "$m.ko*" | head -n1)"
  [ -n "$f" ] || continue # built into this kernel
  case "$f" in
    *.ko.xz) xz -dc "$f" >"$R/lib/modules/$KVER/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" >"$R/lib/modules/$KVER/$m.ko" ;;
    *) cp "$f" "$R/lib/modules/$KVER/$m.ko" ;;
  esac
  echo "$m" >>"$R/etc/modules"
done

cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
KVER="$(uname -r)"
echo "VESSEL-GUEST-UP $KVER cpus=$(grep -c ^processor /proc/cpuinfo) mem_kb=$(awk '/MemTotal/{print $2}' /proc/meminfo)"
for m in $(cat /etc/modules); do insmod "/lib/modules/$KVER/$m.ko" 2>/dev/null; done
found=""
for try in 1 2 3 4 5 6 7 8 9 10; do
  for d in /dev/sr0 /dev/sr1 /dev/vdb /dev/vdc /dev/vdd /dev/vda /dev/sda /dev/sdb; do
    [ -b "$d" ] || continue
    if mount -t iso9660 -o ro "$d" /mnt 2>/dev/null; then
      if [ -f /mnt/ovf-env.xml ]; then found="$d"; break 2; fi
      umount /mnt
    fi
  done
  sleep 0.3
done
if [ -n "$found" ]; then
  echo "OVF-ENV-FOUND dev=$found file=ovf-env.xml bytes=$(wc -c </mnt/ovf-env.xml)"
  echo "-----BEGIN OVF-ENV-----"
  cat /mnt/ovf-env.xml
  echo ""
  echo "-----END OVF-ENV-----"
  umount /mnt
else
  echo "OVF-ENV-NONE"
fi
if grep -q vessel.stay /proc/cmdline; then
  # Open the power button before saying ready, so a press right after GUEST-READY is queued, not lost.
  for ev in /sys/class/input/event*; do
    [ "$(cat "$ev/device/name" 2>/dev/null)" = "Power Button" ] && exec 3<"/dev/input/${ev##*/}" && break
  done
  ( head -c 1 <&3 >/dev/null && { echo "GUEST-POWER-BUTTON"; poweroff -f; } ) &
  echo "GUEST-READY"
  while true; do setsid cttyhack sh -l </dev/ttyS0 >/dev/ttyS0 2>&1; done
fi
echo "GUEST-DONE"
poweroff -f
EOF
chmod 755 "$R/init"
find "$R" -exec touch -h -d @0 {} +
(cd "$R" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible -R 0:0) | gzip -n -9 >"$WORK/initrd.gz"

# 3. The boot partition (FAT16, syslinux) and the disk around it; `$1` = image, `$2` = extra kernel arguments.
make_disk() {
  local img="$1" extra="$2" part="$WORK/part.img"
  rm -f "$part"
  mkfs.fat -C -h 2048 -F 16 -i 56455353 -n VESSELBOOT "$part" 18432 >/dev/null
  syslinux --install "$part"
  printf 'SERIAL 0 115200\nDEFAULT vessel\nPROMPT 0\nTIMEOUT 0\nLABEL vessel\n  LINUX /vmlinuz\n  INITRD /initrd.gz\n  APPEND console=ttyS0 panic=-1 quiet %s\n' \
    "$extra" >"$WORK/syslinux.cfg"
  MTOOLS_SKIP_CHECK=1 mcopy -i "$part" "$VMLINUZ" ::vmlinuz
  MTOOLS_SKIP_CHECK=1 mcopy -i "$part" "$WORK/initrd.gz" ::initrd.gz
  MTOOLS_SKIP_CHECK=1 mcopy -i "$part" "$WORK/syslinux.cfg" ::syslinux.cfg
  rm -f "$img.tmp"
  truncate -s $((2048 * 512 + 18432 * 1024)) "$img.tmp"
  printf 'label: dos\nlabel-id: 0x56455353\nstart=2048, type=e, bootable\n' | sfdisk -q "$img.tmp" >/dev/null
  dd if="$MBR" of="$img.tmp" bs=440 count=1 conv=notrunc status=none
  dd if="$part" of="$img.tmp" bs=512 seek=2048 conv=notrunc,sparse status=none
  mv "$img.tmp" "$img"
}
rm -f "$OUT/guest.json"
make_disk "$OUT/guest.raw" ""
make_disk "$OUT/guest-stay.raw" "vessel.stay"

# 4. A sample OVF environment CD.
mkdir -p "$WORK/iso"
cat >"$WORK/iso/ovf-env.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1"
    xmlns:oe="http://schemas.dmtf.org/ovf/environment/1" oe:id="vessel-test-guest">
  <PlatformSection><Kind>Vessel</Kind><Version>0.1.0</Version><Locale>en</Locale></PlatformSection>
  <PropertySection>
    <Property oe:key="hostname" oe:value="vessel-guest"/>
    <Property oe:key="greeting" oe:value="hello from the OVF environment"/>
  </PropertySection>
</Environment>
EOF
genisoimage -quiet -V OVF-ENV -r -J -o "$OUT/ovf-env.iso" "$WORK/iso/ovf-env.xml"

cat >"$OUT/guest.json" <<EOF
{"version":1,"kernel":"$KVER","disk":"guest.raw","stayDisk":"guest-stay.raw","iso":"ovf-env.iso",
 "markers":{"up":"VESSEL-GUEST-UP","done":"GUEST-DONE","ready":"GUEST-READY",
  "envBegin":"-----BEGIN OVF-ENV-----","envEnd":"-----END OVF-ENV-----"}}
EOF
log "built $OUT/guest.raw, $OUT/guest-stay.raw and $OUT/ovf-env.iso"
