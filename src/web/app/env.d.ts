/** Stylesheets are bundled by esbuild; importing one only adds it to the page's CSS. */
declare module '*.css' {}

/** xterm's stylesheet, loaded as text by the build (scripts/build-web.mjs) and adopted by the console page. */
declare module '@xterm/xterm/css/xterm.css' {
  const text: string;
  export default text;
}

/** noVNC 1.7 ships no types: the part of its RFB class the console page uses (docs/API.md). */
declare module '@novnc/novnc' {
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, url: string, options?: { wsProtocols?: string[] });
    scaleViewport: boolean;
    disconnect(): void;
    addEventListener(type: 'connect', listener: () => void): void;
    addEventListener(type: 'disconnect', listener: (e: CustomEvent<{ clean: boolean }>) => void): void;
  }
}
