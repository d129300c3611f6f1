import { csrfToken, Problem } from './http.js';

/**
 * Uploads a file into a storage pool (PUT /api/v1/pools/{id}/images/{name}) with XMLHttpRequest, the one browser
 * API that reports upload progress; `onProgress` gets a share that only rises (0..1).
 */
export function uploadImage(
  pool: string,
  file: File,
  onProgress: (share: number) => void,
): { done: Promise<void>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  let shown = 0;
  const done = new Promise<void>((resolve, reject) => {
    xhr.open('PUT', `/api/v1/pools/${encodeURIComponent(pool)}/images/${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    const token = csrfToken();
    if (token !== undefined) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable || e.total <= 0) return;
      shown = Math.max(shown, e.loaded / e.total);
      onProgress(shown);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let p: { code?: string; detail?: string; hint?: string } = {};
      try {
        p = JSON.parse(xhr.responseText) as typeof p;
      } catch {
        // not JSON
      }
      reject(
        new Problem(
          xhr.status,
          p.code ?? `HTTP_${xhr.status}`,
          p.detail ?? `${xhr.status} ${xhr.statusText}`,
          p.hint,
        ),
      );
    };
    xhr.onerror = () => reject(new Error(`The upload of ${file.name} was cut off`));
    xhr.onabort = () => reject(new Error(`The upload of ${file.name} was cancelled`));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
