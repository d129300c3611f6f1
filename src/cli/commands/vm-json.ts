import { stat } from 'node:fs/promises';
import type { ApiEvent, SystemDetail } from '../../api/index.js';
import {
  definitionFromJson,
  definitionToJson,
  ModelError,
  VesselError,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { readInput } from '../files.js';

/** The largest `--from-json` file read (a real definition is a few kilobytes). */
export const MAX_DEFINITION_FILE = 4 * 1024 * 1024;

/**
 * `vessel vm info --json`: the system with its definition in the JSON encoding with named kinds
 * (`definitionToJson`), which `vessel vm define --from-json` takes back.
 *
 * @example
 * printJson(systemJson(await api.systems.get('web1'), []));
 */
export function systemJson(info: SystemDetail, events: ApiEvent[]) {
  return { ...info, definition: definitionToJson(info.definition), events };
}

/**
 * Reads `vessel vm define --from-json FILE`: a definition with named kinds, a `vessel vm info --json` answer or the
 * model's `{system, resources}`. Anything else (not JSON, unknown kinds, wrong types, a file over
 * {@link MAX_DEFINITION_FILE}, `__proto__` keys) is a usage error (exit 2) naming the file and the JSON path.
 * `name`, when given, names the new system.
 *
 * @example
 * const def = await readDefinitionFile('web1.json', 'web2');
 */
export async function readDefinitionFile(file: string, name?: string): Promise<VirtualSystemDefinition> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0, // readInput says why it cannot be read
  );
  if (size > MAX_DEFINITION_FILE)
    throw new VesselError(
      'USAGE',
      `${file} is ${size} bytes; a definition has at most ${MAX_DEFINITION_FILE}`,
    );
  const text = (await readInput(file)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new VesselError('USAGE', `${file} is not JSON: ${(e as Error).message}`);
  }
  let def: VirtualSystemDefinition;
  try {
    def = definitionFromJson(value);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    throw new VesselError('USAGE', `${file}: ${e.message}`, {
      hint: 'Give the definition as vessel vm info --json prints it (or as {system, resources})',
    });
  }
  if (name === undefined) return def;
  return { ...def, system: { ...def.system, ElementName: name } };
}
