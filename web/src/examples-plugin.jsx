import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';

import { examples } from './examples.js';

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path d="M4 5h16M4 10h16M4 15h10M4 20h7" strokeLinecap="round" />
    </svg>
  );
}

function ExamplesPane() {
  const tabs = useGraphiQL((s) => s.tabs);
  const queryEditor = useGraphiQL((s) => s.queryEditor);
  const variableEditor = useGraphiQL((s) => s.variableEditor);
  const { addTab, changeTab } = useGraphiQLActions();

  // An example already open in a tab is shown there, so clicking twice
  // does not pile up copies; otherwise it opens in a new tab, leaving the
  // user's own work where it was.
  const open = (example) => {
    const i = tabs.findIndex((t) => t.query === example.query);
    if (i >= 0) {
      changeTab(i);
      return;
    }
    addTab();
    queryEditor?.setValue(example.query);
    variableEditor?.setValue(example.variables ?? '');
  };

  return (
    <section className="cg-examples" aria-label="Examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p className="cg-examples-hint">Each opens in a tab of its own; run it with the play button.</p>
      <ul>
        {examples.map((e) => (
          <li key={e.name}>
            <button type="button" className="cg-example" onClick={() => open(e)}>
              <span className="cg-example-name">{e.name}</span>
              <span className="cg-example-description">{e.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// examplesPlugin lists the example queries in GraphiQL's side pane.
export const examplesPlugin = {
  title: 'Examples',
  icon: ExamplesIcon,
  content: ExamplesPane,
};
