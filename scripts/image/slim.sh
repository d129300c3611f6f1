#!/usr/bin/env bash
# Second pruning pass of build.sh, on each build's copy of the cached root ($1) before customize.sh rebuilds the
# initramfs (changing this file does not invalidate the cached Debian root, prune.sh does). Keeps what a server
# host running virtio guests needs; the figures are the installed sizes dropped (bookworm, kernel 6.1).
set -euo pipefail
root=$1
# Character sets for iconv other than the Unicode and Latin-1 ones (glibc has UTF-8 built in).
find "$root/usr/lib/x86_64-linux-gnu/gconv" -type f ! -name 'gconv-modules*' ! -name 'UTF-*' ! -name 'UNICODE.so' \
  ! -name 'ISO8859-1.so' -delete
rm -rf "$root"/usr/share/iso-codes "$root"/usr/share/xml/iso-codes "$root"/usr/share/bash-completion \
  "$root"/usr/share/common-licenses "$root"/usr/share/alsa "$root"/usr/share/zoneinfo/right \
  "$root"/usr/share/zoneinfo/posix
# QEMU: the x86_64 system emulator, qemu-img and the x86 firmware only. No microvm machine binary, no NBD, I/O or
# storage daemons, no firmware of other architectures, no SPICE, OpenGL, audio or USB pass-through modules (the
# guests' consoles are serial and VNC, both built in).
rm -f "$root"/usr/bin/qemu-system-x86_64-microvm "$root"/usr/bin/qemu-system-i386 "$root"/usr/bin/qemu-nbd \
  "$root"/usr/bin/qemu-io "$root"/usr/bin/qemu-storage-daemon "$root"/usr/bin/qemu-pr-helper
q=$root/usr/share/qemu
rm -rf "$q"/QEMU,*.bin "$q"/*.dtb "$q"/hppa-firmware.img "$q"/npcm7xx_bootrom.bin "$q"/openbios-* "$q"/opensbi-* \
  "$q"/palcode-* "$q"/s390-* "$q"/skiboot.lid "$q"/slof.bin "$q"/vof.bin "$q"/bios-microvm.bin "$q"/qboot.rom
# UEFI guests boot the 4 MiB OVMF pair (src/hypervisor/qemu/uefi.ts): the 2 MiB, Secure Boot and Microsoft-key
# variants go (about 8 MB).
if [ -d "$root/usr/share/OVMF" ]; then
  find "$root/usr/share/OVMF" \( -type f -o -type l \) ! -name OVMF_CODE_4M.fd ! -name OVMF_VARS_4M.fd -delete
fi
m=$root/usr/lib/x86_64-linux-gnu/qemu
rm -f "$m"/audio-*.so "$m"/*spice*.so "$m"/*-gl.so "$m"/ui-opengl.so "$m"/ui-egl-headless.so "$m"/ui-dbus.so \
  "$m"/hw-s390x-*.so "$m"/hw-display-qxl.so "$m"/hw-usb-host.so "$m"/hw-usb-redirect.so "$m"/hw-usb-smartcard.so \
  "$m"/chardev-baum.so "$m"/accel-tcg-i386.so
# Kernel modules: file systems other than the state disk's, the boot medium's and FUSE; network protocols and
# drivers a virtualization host does not use (bridge, its stp/llc, and Open vSwitch stay); buses and devices of embedded boards, laptops and old hardware.
for kdir in "$root"/lib/modules/*; do
  k=$kdir/kernel
  rm -rf "$k"/fs/{nilfs2,dlm,ubifs,afs,ceph,gfs2,nfsd,f2fs,smb,ocfs2,btrfs,nfs,nfs_common,lockd,jfs,reiserfs,hfs,hfsplus} \
    "$k"/fs/{ntfs3,ntfs,udf,coda,orangefs,cachefiles,fscache,netfs,9p,affs,befs,bfs,efs,freevxfs,minix,omfs,qnx4} \
    "$k"/fs/{qnx6,romfs,sysv,ufs,vboxsf,zonefs,erofs,exfat,cramfs,jffs2,adfs,hpfs,gfs2,erofs} \
    "$k"/net/{atm,rds,smc,batman-adv,rxrpc,tipc,sctp,ceph,sunrpc,6lowpan,ieee802154,mac802154,appletalk,x25,lapb} \
    "$k"/net/{phonet,l2tp,dccp,9p,ax25,netrom,rose,hsr,caif,qrtr,kcm,mctp,nsh,mpls} \
    "$k"/drivers/{accessibility,android,atm,bcma,comedi,cxl,devfreq,extcon,firewire,gnss,gpio,hwtracing,leds} \
    "$k"/drivers/{memstick,mmc,mtd,parport,pcmcia,pinctrl,pwm,slimbus,soc,soundwire,spi,ssb,thunderbolt,ufs,w1} \
    "$k"/drivers/{target,misc/cardreader,platform/chrome,platform/surface,power/supply,usb/gadget,usb/serial,usb/misc} \
    "$k"/drivers/{input/misc,input/mouse,hid/intel-ish-hid,hid/amd-sfh-hid,net/usb,net/wan,net/fddi,net/hamradio} \
    "$k"/drivers/{net/ieee802154,net/arcnet,net/plip,net/slip,net/ppp,net/dsa,net/phy/mscc,net/ipa,net/mctp} \
    "$k"/drivers/{scsi/qla2xxx,scsi/qla4xxx,scsi/lpfc,scsi/bfa,scsi/aic7xxx,scsi/bnx2fc,scsi/fcoe,scsi/csiostor} \
    "$k"/drivers/{scsi/be2iscsi,scsi/cxgbi,scsi/qedf,scsi/qedi,scsi/pcmcia,scsi/elx,scsi/mpi3mr}
  # Network cards: virtio, and the server NICs of Intel, Broadcom, Mellanox/NVIDIA, Realtek, AMD and Aquantia.
  for vendor in "$k"/drivers/net/ethernet/*/; do
    case $(basename "$vendor") in intel | broadcom | mellanox | realtek | amd | aquantia) ;; *) rm -rf "$vendor" ;; esac
  done
  chroot "$root" depmod "$(basename "$kdir")"
done
# The initramfs only finds and mounts the boot medium: live-boot's hook copies every network driver (for booting
# over the network, which the image does not do); the last hook takes them out again. gzip here (the root has no
# xz or zstd program); build.sh recompresses it with xz, the smallest of the compressions the kernel reads.
mkdir -p "$root/etc/initramfs-tools/hooks"
cat >"$root/etc/initramfs-tools/hooks/zz-vessel-slim" <<'HOOK'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
rm -rf "$DESTDIR"/usr/lib/modules/*/kernel/drivers/net "$DESTDIR"/lib/modules/*/kernel/drivers/net
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/zz-vessel-slim"
sed -i 's/^COMPRESS=.*/COMPRESS=gzip/' "$root/etc/initramfs-tools/initramfs.conf"
