import type { CertificateView } from '../host-types.js';

/**
 * The host's HTTPS certificate as GET /host states it: subject, issuer, names, validity and the SHA-256
 * fingerprint a client compares with what its browser shows (or pins). Says so when the host has none yet.
 */
export function Certificate({ cert }: { cert: CertificateView | undefined }) {
  if (cert === undefined)
    return <p data-field="certificate">No HTTPS certificate yet (no HTTPS listener has started).</p>;
  const lines = (dn: string) => dn.split('\n').join(', ');
  const expired = Date.parse(cert.validTo) < Date.now();
  return (
    <dl class="summary certificate" data-field="certificate">
      <dt>Subject</dt>
      <dd data-field="cert-subject">{lines(cert.subject)}</dd>
      <dt>Issuer</dt>
      <dd data-field="cert-issuer">
        {lines(cert.issuer)}
        {cert.issuer === cert.subject && <span class="reason"> (self-signed)</span>}
      </dd>
      {cert.subjectAltName !== undefined && (
        <>
          <dt>Names</dt>
          <dd data-field="cert-names">{cert.subjectAltName}</dd>
        </>
      )}
      <dt>Valid</dt>
      <dd data-field="cert-validity">
        <time dateTime={cert.validFrom}>{new Date(cert.validFrom).toLocaleString()}</time> to{' '}
        <time dateTime={cert.validTo}>{new Date(cert.validTo).toLocaleString()}</time>
        {expired && <span class="reason"> (expired)</span>}
      </dd>
      <dt>SHA-256</dt>
      <dd class="mono" data-field="cert-fingerprint">
        {cert.fingerprint256}
      </dd>
      <dt>Serial</dt>
      <dd class="mono">{cert.serialNumber}</dd>
    </dl>
  );
}
