// companygraph's GraphiQL: the IDE, its plugins and the example queries,
// bundled by build.mjs into files the API binary embeds and serves, so the
// page loads nothing from anywhere but the API itself.
import './workers.js';

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';

import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './style.css';

import { defaultHeaders, examples } from './examples.js';
import { examplesPlugin } from './examples-plugin.jsx';

// Relative to the page, so the IDE keeps working behind a proxy that
// serves the API under a path prefix.
const endpoint = new URL('graphql', document.baseURI).href;
const fetcher = createGraphiQLFetcher({ url: endpoint });
const explorer = explorerPlugin();

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[examplesPlugin, explorer]}
    visiblePlugin={examplesPlugin}
    defaultTabs={[{ query: examples[0].query, headers: defaultHeaders }]}
    defaultHeaders={defaultHeaders}
    // Headers may hold a token: keep them out of localStorage.
    shouldPersistHeaders={false}
  >
    <GraphiQL.Logo>companygraph</GraphiQL.Logo>
  </GraphiQL>,
);
