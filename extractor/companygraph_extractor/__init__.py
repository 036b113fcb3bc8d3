"""companygraph's extractor: the facts an article states, with the sentences
that state them.

spaCy's en_core_web_md finds the names (organisations, people, places,
money, dates) and parses each sentence; rules over the parse (extract.py)
turn them into companygraph's facts, in the shape of the API's FactInput,
each with a confidence and the rule that found it. The API resolves the
facts against the graph (internal/article); this package knows nothing of
the graph but the names the API sends it.
"""
