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
# The initramfs carries only what finds and mounts the boot medium (MODULES=list; live-boot's hook adds the
# filesystems): virtio, SATA/SAS/RAID controllers, NVMe, USB storage. The root has every other driver.
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/vessel.conf"
printf '%s\n' virtio_pci virtio_blk virtio_scsi ahci ata_piix sd_mod sr_mod nvme usb_storage uas xhci_pci \
  ehci_pci ohci_pci uhci_hcd megaraid_sas mpt3sas hpsa smartpqi aacraid vmw_pvscsi hv_storvsc \
  vfat nls_cp437 nls_ascii nls_utf8 squashfs overlay loop ext4 isofs >"$root/etc/initramfs-tools/modules"
mount -t proc proc "$root/proc"
trap 'umount "$root/proc"' EXIT
chroot "$root" update-initramfs -u -k all
chroot "$root" dpkg-query -W -f='${Package} ${Version} ${Installed-Size}\n' >"$list"
echo "# apt and dpkg: installed by the build, their programs and data removed from the image" >>"$list"
# No package manager at run time: apt and dpkg go (their data too); the package list above is the record.
rm -rf "$root"/usr/bin/apt* "$root"/usr/lib/apt "$root"/etc/apt "$root"/var/lib/apt "$root"/var/cache/apt \
  "$root"/usr/bin/dpkg* "$root"/usr/sbin/dpkg* "$root"/etc/dpkg "$root"/var/lib/dpkg "$root"/usr/share/perl5/Debian
# Perl (~50 MiB) goes last (update-initramfs runs linux-version, a Perl script): nothing in the running image runs
# it once apt and dpkg are gone (no ELF file links libperl but perl itself).
rm -rf "$root"/usr/bin/perl* "$root"/usr/lib/x86_64-linux-gnu/perl* "$root"/usr/lib/x86_64-linux-gnu/libperl.so* \
  "$root"/usr/share/perl "$root"/usr/share/perl5
