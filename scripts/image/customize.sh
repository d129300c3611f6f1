#!/usr/bin/env bash
# mmdebstrap customize hook of build.sh: $1 the root being built, $2 where to write the package list.
# Locks the image down: root locked, no login prompts, no package manager; enables the Vessel units.
set -euo pipefail
root=$1 list=$2
chroot "$root" useradd --system --no-create-home --shell /usr/sbin/nologin vessel-qemu
chroot "$root" usermod --lock --shell /usr/sbin/nologin root
chroot "$root" systemctl enable systemd-networkd.service vessel.service vessel-setup.service \
  vessel-status@ttyS0.service vessel-status@tty1.service
# The console shows the status screen, never a login prompt (getty, serial-getty and the container console).
chroot "$root" systemctl mask getty@.service serial-getty@.service console-getty.service autovt@.service \
  getty.target systemd-networkd-wait-online.service
echo vessel >"$root/etc/hostname"
: >"$root/etc/machine-id"
mkdir -p "$root/var/lib/vessel"
chroot "$root" dpkg-query -W -f='${Package} ${Version} ${Installed-Size}\n' >"$list"
# No package manager at run time: apt and dpkg go (their data too); the package list above is the record.
rm -rf "$root"/usr/bin/apt* "$root"/usr/lib/apt "$root"/etc/apt "$root"/var/lib/apt "$root"/var/cache/apt \
  "$root"/usr/bin/dpkg* "$root"/usr/sbin/dpkg* "$root"/etc/dpkg "$root"/var/lib/dpkg "$root"/usr/share/perl5/Debian
