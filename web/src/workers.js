// Monaco, GraphiQL's editor, runs its language services in web workers.
// build.mjs bundles each worker into a file of its own beside the page and
// names the files here through WORKERS, so a worker is loaded from this
// server and not from a CDN or a blob: URL that the page's CSP would refuse.
/* global WORKERS */
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const file = WORKERS[label] ?? WORKERS.editor;
    return new Worker(new URL(file, document.baseURI), { name: label });
  },
};
