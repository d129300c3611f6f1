import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../../test/helpers/corpus.js';
import { formatOvf } from '../format.js';
import { parseOvf } from '../parse.js';
import { findSection, hardwareOf, virtualSystems } from '../select.js';
import { validateOvf } from '../validate/validate.js';
import { addFile, fileUsers, removeFile } from './files.js';

const INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');
const load = () => parseOvf(readFileSync(INPUT));
const errors = (env: ReturnType<typeof load>) =>
  validateOvf(parseOvf(formatOvf(env))).filter((d) => d.severity === 'error');

describe('addFile() and removeFile() (COT add-file/remove-file)', () => {
  it('adds a File with the first free id, or the given one, and the result validates', () => {
    const env = load();
    expect(addFile(env, { href: 'a.txt', size: 3n })).toBe('file3');
    expect(addFile(env, { href: 'b.txt', id: 'conf' })).toBe('conf');
    expect(env.references.slice(-2).map((f) => [f.id, f.href, f.size])).toEqual([
      ['file3', 'a.txt', '3'],
      ['conf', 'b.txt', undefined],
    ]);
    expect(errors(env)).toEqual([]);
  });

  it('refuses an id clash, an href already there and an id that is no xs:ID', () => {
    const env = load();
    expect(() => addFile(env, { href: 'x', id: 'file1' })).toThrow(/id "file1" is already/);
    expect(() => addFile(env, { href: 'input.iso' })).toThrow(/already in References \(id "file2"\)/);
    expect(() => addFile(env, { href: 'x', id: '1abc' })).toThrow(/cannot be a file id/);
    expect(() => addFile(env, { href: '' })).toThrow(/needs a name/);
  });

  it('finds who uses a file: disks and items holding it as media', () => {
    const env = load();
    expect(fileUsers(env, 'file1')).toMatchObject({ disks: ['vmdisk1'], items: [] });
    expect(fileUsers(env, 'file2').items).toEqual(['test/CD-ROM 1']);
    expect(fileUsers(env, 'textfile')).toEqual({ disks: [], items: [], icons: 0 });
  });

  it('removes an unused file by id or href, and refuses one a disk or drive still uses', () => {
    const env = load();
    expect(removeFile(env, 'sample_cfg.txt').id).toBe('textfile');
    expect(() => removeFile(env, 'file1')).toThrow(/still used by disk "vmdisk1"/);
    expect(() => removeFile(env, 'input.iso')).toThrow(/item "test\/CD-ROM 1"/);
    expect(() => removeFile(env, 'nothing')).toThrow(/No file in References/);
    expect(env.references.map((f) => f.id)).toEqual(['file1', 'file2']);
  });

  it('with cascade removes the disk and its drive, and empties the CD-ROM drive holding an image', () => {
    const env = load();
    removeFile(env, 'file1', { cascade: true });
    removeFile(env, 'file2', { cascade: true });
    expect(env.references.map((f) => f.id)).toEqual(['textfile']);
    expect(findSection(env.sections, 'DiskSection')?.disks ?? []).toEqual([]);
    const items = hardwareOf(virtualSystems(env)[0]!)!.items;
    expect(items.some((i) => i.resource.properties.ElementName === 'Hard Drive')).toBe(false);
    const cd = items.find((i) => i.resource.properties.ElementName === 'CD-ROM 1')!;
    expect(cd.resource.properties.HostResource).toBeUndefined();
    expect(errors(env)).toEqual([]);
  });
});
