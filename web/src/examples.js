// The example operations GraphiQL offers. The first opens in the default
// tab; every one is a click away in the Examples pane. To add one, append
// an entry: `name` is shown in the pane, `query` is what opens in the tab
// (name the operation, since GraphiQL titles the tab with it), and
// `variables`, if any, is JSON text.
export const examples = [
  {
    name: "Who announced Xiaomi's US entry, and where",
    description: 'An event with the executives who announced it, what it offers and leaves out, and the sentences that say so.',
    query: `# Welcome to companygraph. Every fact in
# the graph comes with the sentences of
# the article that state it. This query
# asks who announced Xiaomi's entry into
# the US, and where: run it with the play
# button or Ctrl-Enter.
#
# Ctrl-Space completes a field; Docs, on
# the left, describes every type, and
# Examples opens more queries.
# For a bearer token, open Headers below:
#   "Authorization": "Bearer <token>"
query WhoAnnouncedXiaomisUSEntry {
  event(id: "xiaomi-us-announcement") {
    name
    # The city of the announcement.
    place
    # Who announced it, and where the
    # article says so.
    executives {
      role
      title
      executive {
        name
      }
      evidence {
        sentence
        source {
          title
        }
      }
    }
    # What Xiaomi will sell in the US,
    # and what it will not.
    offers {
      product {
        name
      }
    }
    excludes {
      reason
      product {
        name
      }
    }
  }
}
`,
  },
  {
    name: "Xiaomi's partner in India",
    description: 'The companies Xiaomi sells through, in which market, and whether exclusively.',
    query: `# Xiaomi's partnerships: who sells its
# phones, where, and whether exclusively.
query XiaomiPartners {
  company(id: "xiaomi") {
    name
    partnerships {
      market
      exclusive
      partner {
        name
      }
      evidence {
        sentence
      }
    }
  }
}
`,
  },
  {
    name: 'Funding and sales',
    description: 'Every event in the graph, with the money raised and the units sold where the article gives them.',
    query: `# Every event, with the amount raised
# (in US dollars) and the units sold,
# where the article states them.
query FundingAndSales {
  events {
    name
    kind
    date
    amountUsd
    unitsSold
  }
}
`,
  },
  {
    name: 'Search: San Francisco',
    description: 'Entities ranked by how many of the words they match (places and kinds are indexed), and the facts whose sentences contain them.',
    query: `# search does not need every word: hits
# that match more of them come first.
# Places, kinds, founders and tickers are
# searched too. searchEvidence finds the
# relationships whose sentences hold the
# words, with the sentence and its source.
query SearchSanFrancisco($q: String! = "san francisco") {
  search(query: $q, first: 5) {
    matched
    score
    node {
      __typename
      id
      ... on Event { name place }
      ... on Company { name headquarters }
    }
  }
  searchEvidence(query: $q, first: 5) {
    matched
    type
    from { id }
    to { id }
    evidence {
      sentence
      source { title }
    }
  }
}
`,
  },
  {
    name: "Apple's key people (starter graph)",
    description: 'With make run STARTER=1: a listed company, its key people and their titles, each quoting the record of the dataset.',
    query: `# Needs the starter graph: make run STARTER=1
# loads 1,836 listed companies from the
# pytickersymbols dataset (Wikipedia
# infobox data, CC BY-SA 4.0). Each fact
# quotes the dataset's record line.
query ApplesKeyPeople {
  company(id: "apple-inc") {
    name
    ticker
    headquarters
    indices
    executives {
      title
      executive { id name }
      evidence {
        sentence
        source { title }
      }
    }
  }
}
`,
  },
  {
    name: 'From Ferrari to Stellantis through a person (starter graph)',
    description: 'With make run STARTER=1: the shortest path between the CEOs of Ferrari and Stellantis, each hop with its evidence.',
    query: `# Needs the starter graph (make run
# STARTER=1). John Elkann chairs both
# Ferrari and Stellantis: the path between
# their CEOs goes through him.
query FerrariToStellantis {
  path(from: "benedetto-vigna", to: "antonio-filosa", maxHops: 4, first: 1) {
    length
    hops {
      from { name }
      direction
      relationship {
        type
        properties
        evidence { sentence }
      }
      to { name }
    }
  }
}
`,
  },
  {
    name: "Stellantis's neighbourhood (starter graph)",
    description: 'With make run STARTER=1: the entities within two hops of Stellantis, as nodes and edges a frontend draws.',
    query: `# Needs the starter graph (make run
# STARTER=1). Nodes and edges within two
# hops, for a drawing; GET /export gives
# the same as node-link JSON or GraphML.
query StellantisNeighbourhood {
  neighborhood(id: "stellantis", depth: 2, limit: 50) {
    truncated
    nodes { id type name depth }
    edges { type from to properties }
  }
}
`,
  },
  {
    name: 'Read an article',
    description: 'Paste an article: the extractor finds its companies, people, markets, products and events, matches them to the graph and writes them with their sentences. Needs an editor token.',
    query: `# Paste an article's text into the
# variables below (title and text), put
# an editor's token in Headers:
#   "Authorization": "Bearer <token>"
# and run. dryRun: true shows what would
# be written, and how each entity was
# matched to the graph, writing nothing;
# run it again with false to write it.
# Each fact is a FactInput: a reviewed
# one can be sent to ingest as it is.
mutation ReadAnArticle($source: SourceInput!, $dryRun: Boolean) {
  ingestArticle(source: $source, dryRun: $dryRun) {
    dryRun
    created
    matched
    skipped
    facts {
      outcome
      id
      matchedBy
      confidence
      rule
      reason
      fact
    }
  }
}
`,
    variables: JSON.stringify({
      dryRun: true,
      source: {
        id: 'walmart-flipkart',
        title: 'Walmart to buy 77% of Flipkart for $16 billion',
        text: 'Walmart to buy 77% of Flipkart for $16 billion\n\n'
          + 'Walmart Inc. agreed to buy 77% of Flipkart for $16 billion, the companies said on Wednesday.\n'
          + "Walmart's chief executive Doug McMillon said India is one of the most attractive retail markets in the world.",
      },
    }, null, 2),
  },
];

// What a new tab's headers editor starts with: JSON with comments, which
// GraphiQL accepts, so the token's place is shown without sending one.
export const defaultHeaders = `{
  // "Authorization": "Bearer <token>"
}
`;
