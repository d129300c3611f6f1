import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import * as image from '../../image/index.js';
import { formatBytes, parseSize } from '../../model/index.js';
import { markCommand } from '../connect/kinds.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

interface BuildFlags {
  output: string;
  work?: string;
  node?: string;
  json?: boolean;
}

interface StateDiskFlags {
  output: string;
  size: string;
  adminPasswordFile: string;
  adminUser: string;
  hostname: string;
  cimHttps: string;
  wsmanHttps: string;
  https: string;
}

async function build(opts: BuildFlags): Promise<number> {
  const t0 = Date.now();
  const r = await image.buildImage({
    out: opts.output,
    work: opts.work,
    node: opts.node,
    onLine: opts.json ? undefined : (line) => println(line),
  });
  if (opts.json) printJson({ ...r, wallSeconds: Math.round((Date.now() - t0) / 1000) });
  else {
    println(`built ${r.image} (image ${r.version}); packages and sizes: ${r.manifest}; digests: ${r.sums}`);
    println(
      `boot set ${(r.bootSetBytes / 1048576).toFixed(1)} MiB compressed; image digest ${r.digest} (the host reports it)`,
    );
  }
  return 0;
}

/** The first line of the password file, without its line end. */
async function readPasswordFile(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  const pw = text.split(/\r?\n/)[0] ?? '';
  if (pw === '') throw new image.ImageError('IMAGE_USAGE', `${file} holds no password on its first line`);
  return pw;
}

async function stateDisk(opts: StateDiskFlags): Promise<number> {
  const sizeBytes = parseSize(opts.size);
  await image.makeStateDisk({
    out: opts.output,
    sizeBytes,
    adminUser: opts.adminUser,
    adminPassword: await readPasswordFile(opts.adminPasswordFile),
    settings: {
      hostname: opts.hostname,
      cimHttpsPort: image.parsePort(opts.cimHttps, '--cim-https'),
      wsmanHttpsPort: image.parsePort(opts.wsmanHttps, '--wsman-https'),
      httpsPort: image.parsePort(opts.https, '--https'),
    },
  });
  println(
    `made ${opts.output}: ${formatBytes(sizeBytes)} ext4 labelled ${image.STATE_LABEL}, admin user "${opts.adminUser}"`,
  );
  return 0;
}

registerGroup((program: Command) => {
  const group = markCommand(program.command('image'), 'offline').description(
    'Build the bootable, read-only Vessel host image and its state disk (an appliance: nothing but the management ports)',
  );
  const d = image.DEFAULT_STATE_SETTINGS;

  group
    .command('build')
    .description(
      'Build DIR/vessel-host.img (BIOS and UEFI boot, squashfs root with QEMU, Node and Vessel), DIR/manifest.txt and DIR/SHA256SUMS from Debian bookworm and this checkout; needs root, mmdebstrap, squashfs-tools, xz-utils, dosfstools, mtools, syslinux, syslinux-efi',
    )
    .requiredOption('-o, --output <dir>', 'the output folder (new or empty)')
    .option(
      '--work <dir>',
      'scratch folder; the installed Debian root is cached there (default: $VESSEL_IMAGE_WORK, else $TMPDIR/vessel-image-work)',
      process.env.VESSEL_IMAGE_WORK,
    )
    .option(
      '--node <file>',
      'the Node binary to carry (default: the one running vessel; Debian 12 has Node 18 only)',
    )
    .option('--json', 'print the result as JSON (artefacts, version, seconds per step)')
    .action(action(build));

  group
    .command('state-disk')
    .description(
      'Make the state disk of the image: a raw ext4 image labelled vessel-state (no root, no loop mount) with the admin user and the settings the image reads; wiping it is a factory reset',
    )
    .requiredOption('-o, --output <file>', 'the disk image to create (refused if it exists)')
    .requiredOption('--admin-password-file <file>', "the admin's password: the first line of this file")
    .option('--admin-user <name>', 'the admin user name', 'admin')
    .option('--size <size>', 'the disk size (sparse), e.g. 8G', '8G')
    .option('--hostname <name>', 'the host name', d.hostname)
    .option('--cim-https <port>', 'CIM-XML over HTTPS', String(d.cimHttpsPort))
    .option('--wsman-https <port>', 'WS-Management over HTTPS', String(d.wsmanHttpsPort))
    .option('--https <port>', 'REST API and UI over HTTPS', String(d.httpsPort))
    .action(action(stateDisk));
});
