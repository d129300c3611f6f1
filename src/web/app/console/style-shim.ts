/**
 * xterm.js writes its theme and cell sizes into `<style>` elements, which the host's CSP (`style-src 'self'`, no
 * inline styles) refuses. The build (scripts/build-web.mjs) rewrites xterm's `createElement("style")` into a call
 * of `globalThis.__vesselStyle`, set here: it gives an inert element whose text goes into a constructed style sheet
 * adopted by the document (the CSSOM, which the CSP does not govern), so the policy stays strict.
 */

declare global {
  var __vesselStyle: ((doc: Document) => HTMLElement) | undefined;
}

/** An element standing for a `<style>`: its textContent is a constructed sheet's text, its removal the sheet's. */
function styleStandIn(doc: Document): HTMLElement {
  const el = doc.createElement('vessel-style');
  el.hidden = true;
  const sheet = new CSSStyleSheet();
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  let text = '';
  Object.defineProperty(el, 'textContent', {
    get: () => text,
    set: (v: string | null) => {
      text = v ?? '';
      sheet.replaceSync(text);
    },
  });
  const remove = el.remove.bind(el);
  el.remove = () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    remove();
  };
  return el;
}

globalThis.__vesselStyle = styleStandIn;

export {};
