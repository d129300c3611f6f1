import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import {
  type ConnectTarget,
  type HostProfile,
  MAX_CONNECT_CHARS,
  parseConnectUri,
  resolveStateDir,
} from './uri.js';

const env = { VESSEL_STATE: undefined, XDG_DATA_HOME: '/data' };
const profiles: Record<string, HostProfile> = {
  lab: { url: 'https://lab.example', user: 'ops', ca: '/etc/vessel/lab-ca.pem' },
  plain: { url: 'http://10.0.0.5:15988/cimom' },
  loop: { url: 'lab' },
  local: { url: 'vessel:///srv/vessel' },
  hv: { url: 'wsman+https://hv1.example', user: 'Administrator', platform: 'hyperv' },
  hvbad: { url: 'wsman+https://hv1.example', platform: 'xen' as 'hyperv' },
  hvcim: { url: 'https://hv1.example', platform: 'hyperv' },
};
const parse = (text: string) => parseConnectUri(text, profiles, env);
const cim = (t: ConnectTarget) => {
  if (t.transport !== 'cimxml') throw new Error(`expected cimxml, got ${t.transport}`);
  return { ...t, url: t.url.href };
};
function refused(text: string, code = 'INVALID_ARGUMENT'): ApiError {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(code);
    return e as ApiError;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('resolveStateDir()', () => {
  it('takes --state, then $VESSEL_STATE, then $XDG_DATA_HOME/vessel', () => {
    expect(resolveStateDir('/opt/s', { VESSEL_STATE: '/v', XDG_DATA_HOME: '/x' })).toBe('/opt/s');
    expect(resolveStateDir(undefined, { VESSEL_STATE: '/v', XDG_DATA_HOME: '/x' })).toBe('/v');
    expect(resolveStateDir(undefined, { XDG_DATA_HOME: '/x' })).toBe('/x/vessel');
    expect(resolveStateDir(undefined, {})).toMatch(/\/\.local\/share\/vessel$/);
  });
});

describe('parseConnectUri(): vessel: URIs', () => {
  it('reads vessel:/// as the default state directory', () => {
    expect(parse('vessel:///')).toEqual({ transport: 'socket', stateDir: '/data/vessel' });
    expect(parseConnectUri('vessel:///', {}, { VESSEL_STATE: '/srv/v' })).toEqual({
      transport: 'socket',
      stateDir: '/srv/v',
    });
  });

  it('reads an absolute state directory, decoded and normalised, with an optional socket', () => {
    expect(parse('vessel:///srv/vessel')).toEqual({ transport: 'socket', stateDir: '/srv/vessel' });
    expect(parse('vessel:///srv/vessel/')).toEqual({ transport: 'socket', stateDir: '/srv/vessel' });
    expect(parse('vessel:///srv/my%20state')).toEqual({ transport: 'socket', stateDir: '/srv/my state' });
    expect(parse('vessel:///srv/a/../b')).toEqual({ transport: 'socket', stateDir: '/srv/b' });
    expect(parse('VESSEL:///srv/v?socket=/run/v.sock')).toEqual({
      transport: 'socket',
      stateDir: '/srv/v',
      socketPath: '/run/v.sock',
    });
  });

  it('refuses hosts, relative paths, fragments and unknown or repeated parameters', () => {
    expect(refused('vessel://host1/srv/v').message).toMatch(/names a local state directory/);
    expect(refused('vessel:relative/dir').hint).toMatch(/--state DIR/);
    refused('vessel://user@/srv');
    refused('vessel:///srv#frag');
    refused('vessel:///srv?sock=/x');
    refused('vessel:///srv?socket=/a&socket=/b');
    refused('vessel:///srv?socket=relative.sock');
    refused('vessel:///srv/%00etc');
    refused('vessel:///srv/%E0%A4%A');
  });
});

describe('parseConnectUri(): CIM-XML URLs', () => {
  it('adds the CIM-XML port and path where the URL has none', () => {
    expect(cim(parse('http://h1'))).toEqual({
      transport: 'cimxml',
      url: 'http://h1:5988/cimom',
      insecure: false,
    });
    expect(cim(parse('https://h1'))).toEqual({
      transport: 'cimxml',
      url: 'https://h1:5989/cimom',
      insecure: false,
    });
    expect(cim(parse('https://h1:443/')).url).toBe('https://h1/cimom');
    expect(cim(parse('http://h1:80')).url).toBe('http://h1/cimom');
    expect(cim(parse('http://[::1]:15988/wbem')).url).toBe('http://[::1]:15988/wbem');
    expect(cim(parse('cimxml+https://h1:5990')).url).toBe('https://h1:5990/cimom');
  });

  it('takes the user (and a discouraged password) out of the URL', () => {
    expect(cim(parse('https://admin@h1'))).toEqual({
      transport: 'cimxml',
      url: 'https://h1:5989/cimom',
      user: 'admin',
      insecure: false,
    });
    const t = cim(parse('https://ad%40min:p%3Ass@h1'));
    expect([t.user, t.password, t.url]).toEqual(['ad@min', 'p:ss', 'https://h1:5989/cimom']);
    refused('https://ad%E0%A4%Amin@h1');
    refused('https://admin:p%E0%A4%A@h1');
  });

  it('never shows a password from the URL in a message', () => {
    const e = refused('https://admin:s3cret@h1?timeout=5');
    expect(e.message).not.toContain('s3cret');
    expect(e.message).toContain('https://admin:***@h1');
    expect(refused('https://admin:p@ss@h1?x=1').message).not.toContain('ss@');
  });

  it('reads ca and insecure for https, and refuses them for http', () => {
    expect(cim(parse('https://h1?ca=/etc/ca.pem&insecure=1'))).toMatchObject({
      ca: '/etc/ca.pem',
      insecure: true,
    });
    expect(cim(parse('https://h1?insecure=0')).insecure).toBe(false);
    refused('http://h1?ca=/etc/ca.pem');
    refused('https://h1?insecure=yes');
    refused('https://h1?insecure=1&insecure=1');
    refused('https://h1?timeout=5');
  });

  it('refuses URLs without a host, with port 0 or out of range, or with a fragment', () => {
    refused('http://');
    refused('http:///cimom');
    refused('https:h1');
    refused('http:/h1');
    refused('http://h1:0');
    refused('http://h1:65536');
    refused('https://h1/cimom#x');
  });

  it('reads wsman+http(s) URLs: WinRM ports 5985/5986 and path /wsman by default, ca and insecure on https', () => {
    const ws = (t: ConnectTarget) => {
      if (t.transport !== 'wsman') throw new Error(`expected wsman, got ${t.transport}`);
      return { ...t, url: t.url.href };
    };
    expect(ws(parse('wsman+https://admin@h1'))).toEqual({
      transport: 'wsman',
      url: 'https://h1:5986/wsman',
      user: 'admin',
      insecure: false,
    });
    expect(ws(parse('wsman+http://h1')).url).toBe('http://h1:5985/wsman');
    expect(ws(parse('wsman+http://h1:8085/')).url).toBe('http://h1:8085/wsman');
    expect(ws(parse('WSMAN+https://h1:7000/custom?ca=/etc/ca.pem&insecure=1'))).toMatchObject({
      url: 'https://h1:7000/custom',
      ca: '/etc/ca.pem',
      insecure: true,
    });
    expect(refused('wsman+http://h1?insecure=1').message).toMatch(/apply to https only/);
    expect(refused('wsman+https://h1?x=1').hint).toMatch(/WS-Man takes ca=FILE/);
    refused('wsman+https://');
    refused('wsman+ftp://h1');
  });

  it('reads hyperv+http(s) URLs as WS-Man with the Hyper-V platform (WinRM ports); a profile may say the platform', () => {
    expect({ ...parse('hyperv+http://Administrator@hv1'), url: undefined }).toEqual({
      transport: 'wsman',
      url: undefined,
      user: 'Administrator',
      insecure: false,
      platform: 'hyperv',
    });
    expect((parse('hyperv+https://hv1') as { url: URL }).url.href).toBe('https://hv1:5986/wsman');
    expect((parse('HYPERV+http://hv1:15985/wsman') as { url: URL }).url.href).toBe('http://hv1:15985/wsman');
    expect(parse('wsman+http://hv1')).not.toHaveProperty('platform');
    expect(parse('hv')).toMatchObject({ transport: 'wsman', platform: 'hyperv', user: 'Administrator' });
    // The platform means something to WS-Man only; an unknown one is refused, not ignored.
    expect(parse('hvcim')).not.toHaveProperty('platform');
    expect(refused('hvbad').message).toMatch(/platform "xen" is not hyperv/);
    expect(refused('hyperv+http://hv1?insecure=1').message).toMatch(/apply to https only/);
    refused('hyperv+ftp://hv1');
    refused('hyperv+https://');
  });

  it('reads rest+http(s) URLs: the origin only, ports 8080/8443 by default', () => {
    const rest = (t: ConnectTarget) => {
      if (t.transport !== 'rest') throw new Error(`expected rest, got ${t.transport}`);
      return { ...t, url: t.url.href };
    };
    expect(rest(parse('rest+https://ops@h1'))).toEqual({
      transport: 'rest',
      url: 'https://h1:8443/',
      user: 'ops',
      insecure: false,
    });
    expect(rest(parse('rest+http://h1:9000/api/v1'))).toMatchObject({ url: 'http://h1:9000/' });
    expect(rest(parse('rest+https://h1?insecure=1'))).toMatchObject({ insecure: true });
    expect(refused('rest+https://h1/cimom').message).toMatch(/names the host only/);
    expect(refused('rest+http://h1?ca=x').message).toMatch(/apply to https only/);
  });
});

describe('parseConnectUri(): profiles', () => {
  it('reads a profile, the URL user winning over the profile user', () => {
    expect(cim(parse('lab'))).toEqual({
      transport: 'cimxml',
      url: 'https://lab.example:5989/cimom',
      user: 'ops',
      ca: '/etc/vessel/lab-ca.pem',
      insecure: false,
    });
    expect(cim(parse('plain')).url).toBe('http://10.0.0.5:15988/cimom');
    expect(parse('local')).toEqual({ transport: 'socket', stateDir: '/srv/vessel' });
  });

  it('refuses unknown names, profiles naming profiles, and names from the prototype', () => {
    expect(refused('nosuch').hint).toMatch(/vessel remote add/);
    refused('loop');
    refused('constructor');
    refused('__proto__');
    refused('hasOwnProperty');
  });
});

describe('parseConnectUri(): garbage', () => {
  it('refuses empty, oversized, spaced and control-character input', () => {
    refused('');
    refused(`http://h/${'a'.repeat(MAX_CONNECT_CHARS)}`);
    refused('http://h1 /cimom');
    refused(' vessel:///');
    refused('vessel:///srv\n');
    refused('http://h1\u0007');
    refused('vessel:///\u00a0srv');
  });

  it('refuses other schemes with a hint at what to use', () => {
    expect(refused('qemu:///embed').hint).toMatch(/host serve --driver/);
    refused('file:///srv/vessel');
    refused('ftp://h1');
    refused('javascript:alert(1)');
    refused('/srv/vessel');
    refused('./state');
    refused('h1:5988');
    refused('::::');
    refused('%%%');
  });

  it('never throws anything but an ApiError, whatever the text', () => {
    const samples = [
      'vessel:',
      'vessel:/',
      'vessel://',
      'http:',
      'https:h1',
      'cimxml+',
      'cimxml+ftp://h',
      'a'.repeat(64),
      'a'.repeat(65),
      'http://h1:5988:5989',
      'http://u:p@',
      '[::1]',
      'vessel:///?',
      'vessel:///?socket',
    ];
    for (const s of samples) {
      try {
        parse(s);
      } catch (e) {
        expect([s, e instanceof ApiError]).toEqual([s, true]);
      }
    }
  });

  it('answers any string with a target or an ApiError (property test)', () => {
    const prefixes = fc.constantFrom(
      '',
      'vessel://',
      'vessel:///',
      'http://',
      'https://',
      'cimxml+https://',
      'lab',
    );
    fc.assert(
      fc.property(prefixes, fc.string({ unit: 'grapheme', maxLength: 80 }), (prefix, rest) => {
        try {
          const t = parse(prefix + rest);
          if (t.transport === 'socket') expect(t.stateDir.startsWith('/')).toBe(true);
          else expect(['http:', 'https:']).toContain(t.url.protocol);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
