import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { CimError } from '../cim/index.js';
import { DiskError } from '../disk/index.js';
import { FormatError } from '../formats/index.js';
import { HostError } from '../host/index.js';
import { HypervisorError } from '../hypervisor/index.js';
import { ModelError, VesselError } from '../model/index.js';
import { OvaError } from '../ova/index.js';
import { OvfError } from '../ovf/index.js';
import { CimXmlError } from '../wbem/index.js';
import { XmlError } from '../xml/index.js';
import { ExitCode, exitCodeFor } from './exit.js';
import { CliFileError } from './files.js';

describe('exitCodeFor', () => {
  it('maps each registry through its own table', () => {
    expect(exitCodeFor(new XmlError('XML_SYNTAX', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new OvfError('OVF_XML_DOCTYPE', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new OvfError('OVF_NOT_OVF', 'x'))).toBe(ExitCode.Failed);
    expect(exitCodeFor(new OvaError('USAGE_OVA', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new OvaError('OVA_DIGEST_MISMATCH', 'x'))).toBe(ExitCode.Failed);
    expect(exitCodeFor(new DiskError('IO_DISK', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new FormatError('FORMAT_UNKNOWN', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new FormatError('FORMAT_INVALID', 'x'))).toBe(ExitCode.Failed);
    expect(exitCodeFor(new ModelError('NOT_SUPPORTED', 'x'))).toBe(ExitCode.NotSupported);
    expect(exitCodeFor(new HypervisorError('NOT_SUPPORTED', 'x'))).toBe(ExitCode.NotSupported);
    expect(exitCodeFor(new HostError('HOST_NOT_RUNNING', 'x'))).toBe(ExitCode.NoHost);
    expect(exitCodeFor(new HostError('EXPORT_INVALID', 'x'))).toBe(ExitCode.Internal);
    expect(exitCodeFor(new CimXmlError('HOST_UNREACHABLE', 'x'))).toBe(ExitCode.NoHost);
    expect(exitCodeFor(new CimError('CIM_ERR_NOT_SUPPORTED', 'x'))).toBe(ExitCode.NotSupported);
    expect(exitCodeFor(new CimError('CIM_ERR_NOT_FOUND', 'x'))).toBe(ExitCode.Failed);
    expect(exitCodeFor(new ApiError('INVALID_ARGUMENT', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new ApiError('PROTOCOL', 'x'))).toBe(ExitCode.NoHost);
  });

  it("maps the CLI's own codes", () => {
    expect(exitCodeFor(new CliFileError('IO_READ', 'x'))).toBe(ExitCode.Usage);
    expect(exitCodeFor(new VesselError('USAGE', 'x'))).toBe(ExitCode.Usage);
  });

  it('does not take a code by its prefix: a code no table knows is a failure, a non-Vessel error a bug', () => {
    // The old regex mapped any code starting with IO_ or USAGE to 2.
    expect(exitCodeFor(new VesselError('IO_SOMETHING_NEW', 'x'))).toBe(ExitCode.Failed);
    expect(exitCodeFor(new Error('boom'))).toBe(ExitCode.Internal);
    expect(exitCodeFor('a string')).toBe(ExitCode.Internal);
  });
});
