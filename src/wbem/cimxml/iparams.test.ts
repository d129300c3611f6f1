import { describe, expect, it } from 'vitest';
import { CimError } from '../../cim/index.js';
import type { IntrinsicCall, IParamValue } from './decode-request.js';
import { IParams } from './iparams.js';

function call(...names: string[]): IntrinsicCall {
  const value: IParamValue = { kind: 'value', value: 'TRUE' };
  return {
    kind: 'intrinsic',
    messageId: '1',
    protocolVersion: '1.0',
    method: 'GetInstance',
    namespace: 'root/virtualization',
    params: new Map(names.map((name) => [name.toLowerCase(), { name, value }])),
  };
}

describe('IParams.only()', () => {
  it('accepts the parameters an operation defines, in any case', () => {
    const p = new IParams(call('InstanceName', 'LOCALONLY', 'includequalifiers'));
    expect(() => p.only('InstanceName', 'LocalOnly', 'IncludeQualifiers')).not.toThrow();
  });

  it('refuses a parameter the operation does not define, named as the client wrote it', () => {
    const p = new IParams(call('InstanceName', 'LocalOnlyX'));
    expect(() => p.only('InstanceName', 'LocalOnly')).toThrow(
      expect.objectContaining({
        code: 'CIM_ERR_INVALID_PARAMETER',
        message: 'GetInstance has no parameter LocalOnlyX',
      }),
    );
  });

  it('refuses a name that matches only as a prefix or with other letters of the same length', () => {
    for (const bad of ['Instance', 'InstanceNames', 'InstanceNamf', 'İnstanceName']) {
      const e = (() => {
        try {
          new IParams(call(bad)).only('InstanceName');
        } catch (x) {
          return x;
        }
      })();
      expect(e, bad).toBeInstanceOf(CimError);
    }
  });
});
