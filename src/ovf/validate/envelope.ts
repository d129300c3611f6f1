import { describeContent, type ValidationContext } from './context.js';

const VERSION_PATTERN: Record<string, RegExp> = {
  '0.9': /^0\.9$/,
  '1': /^1\.\d+(\.\d+)?$/,
  '2': /^2\.\d+(\.\d+)?$/,
};

/**
 * The envelope as a whole (DSP0243 §7, DSP8023 EnvelopeType): the version agrees with the namespace, there is
 * exactly one Content, and content ids are present and unique across the descriptor.
 */
export function checkEnvelope(ctx: ValidationContext): void {
  const env = ctx.env;
  const at = { line: env.line, column: env.column };
  if (env.version === undefined) {
    if (env.generation === '0.9') {
      ctx.report(
        'OVF_VERSION_MISSING',
        at,
        'The 0.9 Envelope has no ovf:version',
        'VMware 0.9 descriptors declare ovf:version="0.9".',
      );
    }
  } else if (!VERSION_PATTERN[env.generation]?.test(env.version.trim())) {
    ctx.report(
      'OVF_VERSION_MISMATCH',
      at,
      `The Envelope declares ovf:version="${env.version}" but its namespace ${env.namespace} is OVF ${env.generation === '0.9' ? '0.9' : `${env.generation}.x`}`,
      'Use ovf:version 1.0/1.1 with .../envelope/1 and 2.0/2.1 with .../envelope/2.',
    );
  }
  if (env.content === undefined) {
    ctx.report(
      'OVF_NO_CONTENT',
      at,
      'The Envelope has no VirtualSystem or VirtualSystemCollection',
      'A descriptor describes exactly one VirtualSystem or VirtualSystemCollection (DSP0243 §7).',
    );
  }
  for (const x of env.extra) {
    if (x.ns === env.namespace && (x.local === 'VirtualSystem' || x.local === 'VirtualSystemCollection')) {
      ctx.report(
        'OVF_MULTIPLE_CONTENT',
        x,
        `A second top-level <${x.local}> follows the first; an Envelope has exactly one`,
        'Wrap several systems in one VirtualSystemCollection.',
      );
    }
  }
  const seen = new Map<string, number | undefined>();
  for (const c of ctx.contents) {
    if (c.id === '') {
      ctx.report('OVF_MISSING_ATTRIBUTE', c, `A ${c.kind} has no ovf:id`);
      continue;
    }
    if (seen.has(c.id)) {
      const first = seen.get(c.id);
      ctx.report(
        'OVF_DUPLICATE_ID',
        c,
        `${describeContent(c)} repeats the id of an earlier ${first === undefined ? 'content' : `content (line ${first})`}`,
        'Content ids are unique across the descriptor; StartupSection and ovf-env.xml refer to them.',
      );
    } else {
      seen.set(c.id, c.line);
    }
  }
}
