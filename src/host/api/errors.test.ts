import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { DiskError } from '../../disk/index.js';
import { HypervisorError } from '../../hypervisor/index.js';
import { ModelError, VesselError } from '../../model/index.js';
import { OvaError } from '../../ova/index.js';
import { OvfError } from '../../ovf/index.js';
import { XmlError } from '../../xml/index.js';
import { HostError } from '../errors.js';
import { Store } from '../store.js';
import { apiErrorCodeOf, toApiError } from './errors.js';

describe('toApiError', () => {
  it.each([
    ['hypervisor', new HypervisorError('VM_NOT_FOUND', 'No virtual system "web9"'), 'VM_NOT_FOUND'],
    [
      'hypervisor',
      new HypervisorError('INVALID_STATE', 'Cannot start "web1": it is running'),
      'INVALID_STATE',
    ],
    ['hypervisor', new HypervisorError('QMP_TIMEOUT', 'QMP did not answer'), 'HYPERVISOR_FAILED'],
    ['hypervisor', new HypervisorError('FILE_NOT_FOUND', 'Cannot open /x for QEMU'), 'IMAGE_NOT_FOUND'],
    ['hypervisor', new HypervisorError('DRIVER_URI', 'Unknown driver'), 'INVALID_ARGUMENT'],
    ['host', new HostError('JOB_NOT_FOUND', 'No job "j9"'), 'NOT_FOUND'],
    ['host', new HostError('POOL_NOT_FOUND', 'No storage pool "p9"'), 'NOT_FOUND'],
    ['host', new HostError('POOL_EXISTS', 'The pool "p" exists'), 'ALREADY_EXISTS'],
    ['host', new HostError('POOL_IN_USE', 'The pool "p" is used by "web1"'), 'INVALID_STATE'],
    ['host', new HostError('IMAGE_OUTSIDE_POOLS', '/etc/shadow lies in no pool'), 'PATH_OUTSIDE_POOL'],
    ['host', new HostError('IMAGE_REFERENCES', 'the image names a backing file'), 'IMAGE_UNSAFE'],
    ['host', new HostError('DEPLOY_EULA', 'The EULA was not accepted'), 'DEPLOY_EULA'],
    ['host', new HostError('DEPLOY_HOST_PATH', 'an item names /dev/sda'), 'DEPLOY_PACKAGE'],
    ['host', new HostError('EXPORT_OUTPUT', '/tmp/x.ova exists'), 'EXPORT_OUTPUT'],
    ['host', new HostError('USAGE', 'A metadata key must not be empty'), 'INVALID_ARGUMENT'],
    ['host', new HostError('HOST_STORE', 'Cannot open the host database'), 'HOST_STORE'],
    ['model', new ModelError('MODEL_UNITS', 'byte*2^99 is no unit'), 'DEFINITION_INVALID'],
    ['model', new ModelError('NOT_SUPPORTED', 'no such thing'), 'NOT_SUPPORTED'],
    ['ova', new OvaError('OVA_DIGEST_MISMATCH', 'disk1.vmdk: digest differs'), 'DEPLOY_PACKAGE'],
    ['ova', new OvaError('OVA_DESCRIPTOR_INVALID', 'not an envelope'), 'DEPLOY_INVALID'],
    ['ova', new OvaError('OVA_TOO_LARGE', 'the descriptor is over 16 MiB'), 'LIMIT_EXCEEDED'],
    ['ovf', new OvfError('OVF_XML_SYNTAX', 'unclosed tag'), 'DEPLOY_INVALID'],
    ['ovf', new OvfError('OVF_NOT_FOUND', 'no deployment option "big"'), 'INVALID_ARGUMENT'],
    ['xml', new XmlError('XML_DOCTYPE', 'DOCTYPE refused'), 'DEPLOY_INVALID'],
    ['disk', new DiskError('DISK_CORRUPT', 'bad grain table'), 'DEPLOY_DISK'],
    ['disk', new DiskError('DISK_EXTERNAL_REFERENCE', 'names a backing file'), 'IMAGE_UNSAFE'],
    ['disk', new DiskError('DISK_ABORTED', 'the conversion was cancelled'), 'CANCELLED'],
  ] as const)('maps a %s error %# to its Api code, keeping message and domain code', (domain, e, code) => {
    const mapped = toApiError(e);
    expect(mapped).toBeInstanceOf(ApiError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(e.message);
    expect(mapped.detail).toEqual({ domain, code: e.code });
    expect(mapped.cause).toBe(e);
  });

  it('keeps the hint and leaves an ApiError as it is', () => {
    const e = new HostError('USAGE', 'x', { hint: 'do y' });
    expect(toApiError(e).hint).toBe('do y');
    const api = new ApiError('BUSY', 'held');
    expect(toApiError(api)).toBe(api);
  });

  it('maps a store failure to HOST_STORE, an error of no domain to INTERNAL with its message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-errors-'));
    const store = new Store(join(dir, 'vessel.db'));
    let failure: unknown;
    try {
      store.putVm('u1', { system: {}, resources: [] });
      store.putVm('u2', { system: {}, resources: [] }); // both named by their UUID: fine
      store.putVm('u3', { system: { ElementName: 'u1' }, resources: [] }); // the name of another: UNIQUE
    } catch (e) {
      failure = e;
    }
    store.close();
    rmSync(dir, { recursive: true, force: true });
    expect(toApiError(failure)).toMatchObject({ code: 'HOST_STORE', detail: { domain: 'store' } });
    expect(toApiError(new TypeError('x is undefined'))).toMatchObject({
      code: 'INTERNAL',
      message: 'x is undefined',
    });
    expect(toApiError('a string')).toMatchObject({ code: 'INTERNAL', message: 'a string' });
    expect(toApiError(new VesselError('BUSY', 'held elsewhere'))).toMatchObject({ code: 'BUSY' });
    expect(toApiError(new VesselError('SOMETHING_ELSE', 'odd'))).toMatchObject({ code: 'INTERNAL' });
  });

  it('maps a code recorded without its error', () => {
    expect(apiErrorCodeOf('VM_NOT_FOUND')).toBe('VM_NOT_FOUND');
    expect(apiErrorCodeOf('JOB_NOT_FOUND')).toBe('NOT_FOUND');
    expect(apiErrorCodeOf('QEMU_START')).toBe('HYPERVISOR_FAILED');
    expect(apiErrorCodeOf('NO_SUCH_CODE')).toBe('INTERNAL');
  });
});
