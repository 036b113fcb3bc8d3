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
