#!/usr/bin/env bash
# Installs everything Vessel needs on Debian 12 with Node 20: Debian packages (QEMU, qemu-img, xmllint, the CIM
# client, the tools that build the test guest) and the npm packages. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(
  qemu-system-x86 qemu-utils ovmf     # the embedded host (ovmf: UEFI firmware) and the disk converter
  libxml2-utils openssl               # xmllint for schema checks; openssl for certificates and the benchmarks' baseline
  sblim-wbemcli                       # a real CIM-XML client for the conformance tests
  libvmdk-utils                       # vmdkinfo: an independent VMDK reader for the disk tests
  python3-libvmdk                     # pyvmdk: libvmdk reading VMDK data, a third reader in the disk tests
  strace                              # which files qemu-img opens, in the disk image pinning tests
  syslinux syslinux-common extlinux mtools dosfstools fdisk busybox-static cpio gzip kmod genisoimage
  mmdebstrap squashfs-tools syslinux-efi xz-utils e2fsprogs  # vessel image build (src/image/tools.ts) and state-disk
  ca-certificates
  libvirt-clients                     # virt-xml-validate: checks the libvirt domain XML that vessel convert writes; virsh
  libvirt-daemon libvirt-daemon-driver-qemu  # libvirtd for the libvirt driver's tests (test/helpers/libvirtd.ts)
  zsh                                 # a shell whose completion script vessel completion writes (bash is there)
  wsl uuid-runtime python3-winrm      # real WS-Management clients (openwsman's wsl, pywinrm) for the WS-Man tests
  chromium                            # the web UI's tests drive Debian's browser with playwright-core (no browser download)
)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirtd's QEMU driver looks up libvirt-qemu even when qemu.conf says root (the package does not always make it).
if ! getent passwd libvirt-qemu >/dev/null; then
  echo "setup: creating the system user libvirt-qemu"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  getent group libvirt-qemu >/dev/null || $SUDO groupadd --system libvirt-qemu
  $SUDO useradd --system --no-create-home --gid libvirt-qemu --shell /usr/sbin/nologin libvirt-qemu
fi

# QEMU's unprivileged user: a host running as root starts every VM's QEMU as vessel-qemu (docs/security.md, QEMU).
if ! getent passwd vessel-qemu >/dev/null; then
  echo "setup: creating the system user vessel-qemu"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO useradd --system --no-create-home --shell /usr/sbin/nologin vessel-qemu
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci; its prepare script builds the TypeScript and the manual pages)"
  npm ci --no-audit --no-fund --loglevel=error
else
  npm run --silent build
fi
