"""A small client for the companygraph API, for notebooks.

Subgraphs come from GET /export as networkx graphs (node-link JSON, or
GraphML); paths, timelines and the facts of a source come from the GraphQL
endpoint as plain lists and pandas DataFrames. Errors of the API are raised
as APIError with the API's code (BAD_USER_INPUT, NOT_FOUND, ...).
"""

from __future__ import annotations

import io

import networkx as nx
import pandas as pd
import requests


class APIError(Exception):
    """An error the API answered with; code is its extensions.code."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Client:
    """Talks to one companygraph API, e.g. Client("http://127.0.0.1:8080")."""

    def __init__(self, url: str, timeout: float = 30):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def graphql(self, query: str, **variables) -> dict:
        """Runs a GraphQL query and returns its data; the first error is raised."""
        res = self.session.post(
            self.url + "/graphql",
            json={"query": query, "variables": variables},
            timeout=self.timeout,
        )
        body = res.json()
        if body.get("errors"):
            err = body["errors"][0]
            raise APIError(err.get("extensions", {}).get("code", "UNKNOWN"), err["message"])
        res.raise_for_status()
        return body["data"]

    def subgraph(self, id: str | None = None, depth: int | None = None, limit: int | None = None,
                 types: list[str] | None = None, format: str = "json") -> nx.MultiDiGraph:
        """The neighbourhood of entity id (or, without id, the whole graph) as a
        directed multigraph: node attributes type, name, depth, sources,
        sentences and the stored properties; edge attributes type, sources,
        sentences and the stored properties. G.graph["truncated"] says
        whether the API's bounds cut it."""
        params = {"format": format}
        for name, value in (("id", id), ("depth", depth), ("limit", limit)):
            if value is not None:
                params[name] = value
        if types:
            params["types"] = ",".join(types)
        res = self.session.get(self.url + "/export", params=params, timeout=self.timeout, stream=True)
        if res.status_code != 200:
            err = res.json().get("error", {})
            raise APIError(err.get("code", str(res.status_code)), err.get("message", res.text))
        if format == "graphml":
            return nx.read_graphml(io.BytesIO(res.content))
        return nx.node_link_graph(res.json(), edges="links")

    def neighborhood(self, id: str, depth: int = 1, limit: int | None = None,
                     types: list[str] | None = None) -> nx.MultiDiGraph:
        """The entities within depth hops of id, and the relationships among them."""
        return self.subgraph(id=id, depth=depth, limit=limit, types=types)

    def path(self, source: str, target: str, max_hops: int | None = None) -> list[dict]:
        """The shortest paths from source to target: each a list of hops
        {from, to, type, direction, sentence}; [] when none is within max_hops."""
        data = self.graphql(
            """query($from: ID!, $to: ID!, $max: Int) {
              path(from: $from, to: $to, maxHops: $max) {
                hops { from { id name } to { id name } direction
                       relationship { type evidence { sentence sourceId } } } } }""",
            **{"from": source, "to": target, "max": max_hops},
        )
        return [
            [
                {
                    "from": h["from"]["name"],
                    "to": h["to"]["name"],
                    "type": h["relationship"]["type"],
                    "direction": h["direction"],
                    "sentence": h["relationship"]["evidence"][0]["sentence"],
                }
                for h in p["hops"]
            ]
            for p in data["path"]
        ]

    def timeline(self, entity: str, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """The events entity took part in, in the API's order, one row each:
        id, event, date (as the source words it), precision, iso, role and
        sentence (the one that gives the date)."""
        data = self.graphql(
            """query($id: ID!, $from: String, $to: String) {
              timeline(entity: $id, from: $from, to: $to) {
                events { event { id name } date precision iso
                         links { properties } evidence { sentence } } } }""",
            id=entity, **{"from": start, "to": end},
        )
        rows = []
        for e in data["timeline"]["events"]:
            rows.append({
                "id": e["event"]["id"],
                "event": e["event"]["name"],
                "date": e["date"],
                "precision": e["precision"],
                "iso": e["iso"],
                "role": ", ".join(sorted({str(l["properties"].get("role")) for l in e["links"] if l["properties"].get("role")})),
                "sentence": (e["evidence"] or {}).get("sentence"),
            })
        return pd.DataFrame(rows, columns=["id", "event", "date", "precision", "iso", "role", "sentence"])

    def search(self, text: str, types: list[str] | None = None, first: int = 10) -> pd.DataFrame:
        """Entities that match the words typed, one row each, in the API's
        order: those that match more of the words first, then by score."""
        data = self.graphql(
            """query($q: String!, $types: [NodeType!], $first: Int) {
              search(query: $q, types: $types, first: $first) {
                matched score node { __typename id ... on Source { title }
                  ... on Company { name } ... on Executive { name } ... on Market { name }
                  ... on Product { name } ... on Partner { name } ... on Event { name } } } }""",
            q=text, types=types, first=first,
        )
        return pd.DataFrame([
            {"id": h["node"]["id"], "type": h["node"]["__typename"],
             "name": h["node"].get("name") or h["node"].get("title"),
             "matched": h["matched"], "score": h["score"]}
            for h in data["search"]
        ], columns=["id", "type", "name", "matched", "score"])

    def search_evidence(self, text: str, types: list[str] | None = None, first: int = 10) -> pd.DataFrame:
        """The relationships whose sentences contain the words typed, one row
        per sentence that contains one, with its source."""
        data = self.graphql(
            """query($q: String!, $types: [String!], $first: Int) {
              searchEvidence(query: $q, types: $types, first: $first) {
                matched type from { id } to { id } evidence { sentence source { id } } } }""",
            q=text, types=types, first=first,
        )
        return pd.DataFrame([
            {"from": h["from"]["id"], "type": h["type"], "to": h["to"]["id"], "matched": h["matched"],
             "sentence": e["sentence"], "source": e["source"]["id"]}
            for h in data["searchEvidence"] for e in h["evidence"]
        ], columns=["from", "type", "to", "matched", "sentence", "source"])

    def key_people(self, company: str) -> pd.DataFrame:
        """The people who work for a company, with their titles and the
        sentence (or record line) that states it; NOT_FOUND for no such company."""
        data = self.graphql(
            """query($id: ID!) { company(id: $id) { name
                 executives { title executive { id name } evidence { sentence source { id } } } } }""",
            id=company,
        )
        if data["company"] is None:
            raise APIError("NOT_FOUND", f"no company {company}")
        return pd.DataFrame([
            {"id": e["executive"]["id"], "name": e["executive"]["name"], "title": e["title"],
             "sentence": e["evidence"][0]["sentence"] if e["evidence"] else None}
            for e in data["company"]["executives"]
        ], columns=["id", "name", "title", "sentence"])

    def has(self, id: str) -> bool:
        """Whether a node of this id is in the graph."""
        try:
            self.graphql("query($id: ID!) { node(id: $id) { id } }", id=id)
        except APIError as err:
            if err.code == "NOT_FOUND":
                return False
            raise
        return True

    def facts(self, source: str, limit: int = 500) -> pd.DataFrame:
        """The relationships a source states, one row each, with its sentences."""
        data = self.graphql(
            """query($s: ID!, $limit: Int) { facts(source: $s, limit: $limit) {
                 facts { relationship { type } from { name } to { name } sentences } } }""",
            s=source, limit=limit,
        )
        return pd.DataFrame([
            {"from": f["from"]["name"], "type": f["relationship"]["type"], "to": f["to"]["name"],
             "sentences": " ".join(f["sentences"])}
            for f in data["facts"]["facts"]
        ])


def nodes_frame(G: nx.Graph) -> pd.DataFrame:
    """The nodes of a subgraph as a DataFrame indexed by id."""
    return pd.DataFrame.from_dict(dict(G.nodes(data=True)), orient="index")


def edges_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """The edges of a subgraph as a DataFrame, one row per relationship."""
    return pd.DataFrame([{"source": u, "target": v, **d} for u, v, d in G.edges(data=True)])
