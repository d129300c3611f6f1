import { describe, expect, it } from 'vitest';
import { VESSEL_PLATFORM_VERSION } from './deploy/deploy.js';
import { hostSoftware } from './software.js';

const DIGEST = `${'0123456789abcdef'.repeat(4)}`;

describe('hostSoftware() (issue 16)', () => {
  it('is the package version and no digest outside a host image', () => {
    expect(hostSoftware({})).toEqual({ version: VESSEL_PLATFORM_VERSION, image: false });
    expect(hostSoftware({ VESSEL_IMAGE_DIGEST: DIGEST })).toEqual({
      version: VESSEL_PLATFORM_VERSION,
      image: false,
    });
  });

  it('is the image version and digest that vessel.service passes in a host image', () => {
    expect(hostSoftware({ VESSEL_IMAGE_VERSION: '0.1.0+g4a61884', VESSEL_IMAGE_DIGEST: DIGEST })).toEqual({
      version: '0.1.0+g4a61884',
      image: true,
      digest: DIGEST,
    });
    expect(hostSoftware({ VESSEL_IMAGE_VERSION: '0.1.0' })).toEqual({ version: '0.1.0', image: true });
  });

  it('does not vouch for malformed values: an overlong or control-character version, a wrong digest', () => {
    for (const bad of ['', 'x'.repeat(65), '1.0\n2', '1.0 beta', '-1', '1.0\u0000', '../etc'])
      expect(
        hostSoftware({ VESSEL_IMAGE_VERSION: bad, VESSEL_IMAGE_DIGEST: DIGEST }),
        JSON.stringify(bad),
      ).toEqual({
        version: VESSEL_PLATFORM_VERSION,
        image: false,
      });
    for (const bad of [
      DIGEST.toUpperCase(),
      DIGEST.slice(1),
      `${DIGEST}0`,
      `sha256:${DIGEST}`,
      ' '.repeat(64),
    ])
      expect(hostSoftware({ VESSEL_IMAGE_VERSION: '0.1.0', VESSEL_IMAGE_DIGEST: bad }), bad).toEqual({
        version: '0.1.0',
        image: true,
      });
  });
});
