#!/usr/bin/env bash
# Builds the Vessel host image (issue 16), called by `vessel image build` (src/image/build.ts), which checks the
# tools first. Usage: build.sh OUT WORK CHECKOUT NODE VERSION
#   OUT       the output folder: vessel-host.img, manifest.txt, SHA256SUMS, and the boot set under boot/
#   WORK      a scratch folder (the Debian root is kept there and reused while the package list is unchanged)
#   CHECKOUT  the Vessel checkout whose dist/, package.json and production node_modules form the app layer
#   NODE      the Node binary to carry (Debian 12 has Node 18 only)
#   VERSION   the image version written to /etc/vessel-image
# Steps print "step: NAME" lines and "time: NAME SECONDS" for the figures.
set -euo pipefail
out=$1 work=$2 checkout=$3 node=$4 version=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/boot" "$work"
t0=$(date +%s)
step() { echo "step: $1"; }
took() { echo "time: $1 $(($(date +%s) - $2))"; }

# What the host needs, nothing more: no recommends; prune.sh then drops docs, man pages, locales and the kernel's
# GPU, sound, wireless, media, InfiniBand, IIO, staging, Bluetooth and NFC drivers, and rebuilds the initramfs.
# The host's own run-time tools come too: genisoimage writes a deployed system's OVF environment CD (a package with
# properties failed to deploy without it), ovmf is the firmware of UEFI guests (a Recommends of qemu-system-x86).
PKGS=linux-image-amd64,live-boot,systemd-sysv,udev,dbus,kmod,iproute2,qemu-system-x86,qemu-utils,ca-certificates,openssl,busybox,libstdc++6,e2fsprogs,genisoimage,ovmf

# The installed root is kept in WORK while the package list is unchanged; each build customizes a fresh copy.
key=$(printf '%s\n' "$PKGS" | cat - "$here/prune.sh" | sha256sum | cut -c1-16)
pristine=$work/debian-$key
if [ ! -f "$pristine.done" ]; then
  step debootstrap
  t=$(date +%s)
  rm -rf "$work"/debian-*
  mmdebstrap --variant=apt --include="$PKGS" --aptopt='APT::Install-Recommends "false"' \
    --customize-hook="$here/prune.sh \"\$1\"" bookworm "$pristine" >"$work/mmdebstrap.log" 2>&1 || { tail -40 "$work/mmdebstrap.log"; exit 1; }
  touch "$pristine.done"
  took debootstrap "$t"
fi

step customize
t=$(date +%s)
root=$work/root
rm -rf "$root" && cp -a "$pristine" "$root"
cp -a "$here/rootfs/." "$root/"
# The state disk's device unit is named with systemd's escapes (a backslash, which npm cannot pack): placed here.
install -D -m 0644 "$here/state-device-timeout.conf" \
  "$root/etc/systemd/system/dev-disk-by\\x2dlabel-vessel\\x2dstate.device.d/timeout.conf"
"$here/slim.sh" "$root"
"$here/customize.sh" "$root" "$work/packages.txt"
took customize "$t"

step base-layer
t=$(date +%s)
printf 'VESSEL_IMAGE_VERSION=%s\n' "$version" >"$root/etc/vessel-image"
cp "$root"/boot/vmlinuz-* "$out/boot/vmlinuz"
# The initramfs is one gzip stream (no microcode in front); xz with CRC32 checks, as the kernel's decoder wants.
gzip -dc "$root"/boot/initrd.img-* | xz --check=crc32 -9 -T2 >"$out/boot/initrd.img"
rm -f "$out/boot/filesystem.squashfs"
# zstd: xz with the x86 filter made the boot set 104 MiB instead of about 120, but took six times as long to
# build (23 min for the root on the shared build machine) and decompresses slower under TCG.
mksquashfs "$root" "$out/boot/filesystem.squashfs" -comp zstd -b 1M -noappend -quiet -no-progress \
  -wildcards -e boot 'var/cache/*' 'var/log/*' 'tmp/*' >/dev/null
took base-layer "$t"

step app-layer
t=$(date +%s)
app=$work/app
rm -rf "$app" && mkdir -p "$app/usr/local/bin" "$app/opt/vessel"
cp "$node" "$app/usr/local/bin/node"
cp -a "$checkout/package.json" "$checkout/dist" "$app/opt/vessel/"
rm -rf "$app/opt/vessel/dist/bench"
# Run-time dependencies only (prod-modules.mjs: package.json's closure without the addon installers); a folder
# inside one already taken is skipped.
"$node" "$here/prod-modules.mjs" "$checkout" | awk 'k == "" || index($0, k "/") != 1 { print; k = $0 }' \
  >"$work/app-modules.txt"
tar -C "$checkout" -chf - -T "$work/app-modules.txt" | tar -C "$app/opt/vessel" -xf -
# better-sqlite3 needs its addon only, not its SQLite sources and object files.
sqlite=$app/opt/vessel/node_modules/better-sqlite3
if [ -f "$sqlite/build/Release/better_sqlite3.node" ]; then
  rm -rf "$sqlite/deps" "$sqlite/src"
  find "$sqlite/build" -type f ! -name better_sqlite3.node -delete
fi
rm -f "$out/boot/vessel.squashfs"
mksquashfs "$app" "$out/boot/vessel.squashfs" -comp zstd -b 1M -noappend -quiet -no-progress -all-root >/dev/null
took app-layer "$t"

# The boot set's sums go onto the boot medium too (live/SHA256SUMS): the running host reports the SHA-256 of that
# list as its image digest, which anyone can recompute from the artefacts.
(cd "$out/boot" && sha256sum vmlinuz initrd.img filesystem.squashfs vessel.squashfs >SHA256SUMS)
digest=$(sha256sum "$out/boot/SHA256SUMS" | cut -c1-64)
echo "digest: $digest"
echo "boot-set-bytes: $(du -cb "$out"/boot/* | tail -1 | cut -f1)"

step disk
t=$(date +%s)
"$here/disk.sh" "$out" "$work"
took disk "$t"

step manifest
{
  echo "# Vessel host image $version, built $(date -u +%FT%TZ) from Debian bookworm"
  echo "# node $("$node" --version) (the build machine's $node)"
  echo "# image digest (SHA-256 of boot/SHA256SUMS, as the host reports it): $digest"
  echo "# artefact bytes"
  (cd "$out" && du -b vessel-host.img boot/*)
  echo "$(du -cb "$out"/boot/* | tail -1 | cut -f1)	boot set (compressed, total)"
  echo "# package version installed-KiB"
  sort "$work/packages.txt"
} >"$out/manifest.txt"
(cd "$out" && sha256sum vessel-host.img boot/* manifest.txt >SHA256SUMS)
took total "$t0"
