// @neo4j/graphql over the companygraph graph, on graphql-yoga with its
// defaults (parse and validation caches on), for `make bench` to compare
// with companygraph on the same Neo4j. Configured by environment:
//
//   NEO4J_URI, NEO4J_USERNAME (neo4j), NEO4J_PASSWORD, ADDR (127.0.0.1:4000)
//
// It prints "listening on http://ADDR/graphql" once it serves.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

const uri = process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687";
const user = process.env.NEO4J_USERNAME ?? "neo4j";
const password = process.env.NEO4J_PASSWORD ?? "";
const [host, port] = (process.env.ADDR ?? "127.0.0.1:4000").split(":");

const driver = neo4j.driver(uri, password ? neo4j.auth.basic(user, password) : undefined);
const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();

// graphiql and the landing page off, as in production; logging off keeps
// yoga's debug output out of the measurement.
const yoga = createYoga({ schema, graphiql: false, logging: false, landingPage: false });
const server = createServer(yoga);
server.keepAliveTimeout = 120_000;
server.listen(Number(port), host, () => console.log(`listening on http://${host}:${port}/graphql`));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    driver.close().finally(() => process.exit(0));
  });
}
