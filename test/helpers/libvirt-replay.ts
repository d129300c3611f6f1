/**
 * A fake libvirtd that replays a capture from ../shared/libvirt/captures (go-libvirt's libvirttest, on recorded
 * traffic): each packet the client sends must equal the next `C>S` line byte for byte (header and payload, the
 * length word included), and the `S>C` lines that follow it are sent back. A mismatch is recorded with the
 * capture's file and line, and the connection is dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { encodePacket, type Packet, PacketFramer } from '../../src/libvirt/index.js';

/** The shared captures directory. */
export const CAPTURES = join(import.meta.dirname, '../../../shared/libvirt/captures');

/** One captured packet, with where it was recorded. */
export interface CapturedPacket extends Packet {
  dir: 'C>S' | 'S>C';
  /** `file:line`. */
  label: string;
}

/** Reads a capture file (lines `DIR len=... prog=... vers proc type serial status payload=HEX`). */
export function readCapture(file: string): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  readFileSync(join(CAPTURES, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m =
        /^(C>S|S>C) len=(\d+) prog=0x([0-9a-f]+) vers=(\d+) proc=(\d+) type=(\d+) serial=(\d+) status=(\d+) payload=([0-9a-f]*)$/.exec(
          line,
        );
      if (m === null) return;
      const p: CapturedPacket = {
        dir: m[1] as 'C>S' | 'S>C',
        prog: Number.parseInt(m[3]!, 16),
        vers: Number(m[4]),
        proc: Number(m[5]),
        type: Number(m[6]),
        serial: Number(m[7]),
        status: Number(m[8]),
        payload: Buffer.from(m[9]!, 'hex'),
        label: `${file}:${i + 1}`,
      };
      if (encodePacket(p).length !== Number(m[2]))
        throw new Error(`${p.label}: len does not match the payload`);
      out.push(p);
    });
  return out;
}

/** The replaying peer; `client` is the end to give a LibvirtClient. */
export class ReplayPeer {
  readonly client: Duplex;
  /** What went wrong, with the capture's labels. */
  readonly mismatches: string[] = [];
  private at = 0;
  private readonly framer = new PacketFramer();

  constructor(private readonly script: CapturedPacket[]) {
    const self = this;
    this.client = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        for (const p of self.framer.push(chunk)) self.fromClient(p);
        done();
      },
    });
    this.flush();
  }

  /** Whether every packet of the script was exchanged. */
  get finished(): boolean {
    return this.at >= this.script.length;
  }

  /** The packets of the script not exchanged yet. */
  remaining(): CapturedPacket[] {
    return this.script.slice(this.at);
  }

  private fromClient(p: Packet): void {
    const want = this.script[this.at];
    const got = encodePacket(p).toString('hex');
    if (want === undefined || want.dir !== 'C>S' || encodePacket(want).toString('hex') !== got) {
      this.mismatches.push(
        `${want?.label ?? 'end of capture'}: expected ${want === undefined ? 'nothing' : describe(want)}, the client sent ${describe(p)} ${p.payload.toString('hex')}`,
      );
      this.client.destroy();
      return;
    }
    this.at++;
    this.flush();
  }

  /** Sends the server's packets up to the next one the client must send. */
  private flush(): void {
    const batch: Buffer[] = [];
    while (this.script[this.at]?.dir === 'S>C') batch.push(encodePacket(this.script[this.at++]!));
    if (batch.length > 0) setImmediate(() => this.client.push(Buffer.concat(batch)));
  }
}

function describe(p: Packet): string {
  return `prog 0x${p.prog.toString(16)} proc ${p.proc} type ${p.type} serial ${p.serial} status ${p.status}`;
}
