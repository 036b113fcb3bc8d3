package schemagen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// mutations adds the write API: create, update and delete for every @node
// type, with nested create and connect of its relationships, and the batch
// ingest of facts. Each field declares the role it needs with @auth and
// what it writes with @write.
func (g *generator) mutations(nodes []*ast.Definition) ast.FieldList {
	var fields ast.FieldList
	relTypes := map[string]bool{}
	edgeProps := map[string]string{} // property -> GraphQL type, across edge types
	for _, d := range nodes {
		plural := g.plural(d)
		up := strings.ToUpper(plural[:1]) + plural[1:]
		var input, patch, links, unlinks []string
		for _, f := range d.Fields {
			typ := f.Type.Name()
			switch {
			case computed(f):
			case f.Directives.ForName("relationship") != nil:
				e := g.defs[typ]
				if !g.isEdge(typ) || len(f.Arguments) > 0 && strings.HasSuffix(f.Name, "Aggregate") {
					continue
				}
				rel := f.Directives.ForName("relationship")
				relTypes[rel.Arguments.ForName("type").Value.Raw] = true
				other, otherField := g.otherEnd(e, rel, d.Name)
				link := d.Name + ucFirst(f.Name) + "Link"
				var props []string
				for _, p := range e.Fields {
					if p.Name == otherField || g.isNode(p.Type.Name()) || p.Directives.ForName("evidence") != nil {
						continue
					}
					props = append(props, p.Name+": "+nullable(p.Type))
					edgeProps[p.Name] = nullable(p.Type)
				}
				g.addSDL(fmt.Sprintf(`"A %[2]s relationship to write: to the %[3]s with this id, or to one created with it. evidence is required: every relationship says which source states it."
input %[1]s {
  "An existing %[3]s."
  id: ID
  "One %[3]s to create (its own relationships cannot be nested further)."
  create: %[3]sInput%[4]s
  evidence: [EvidenceInput!]!
}`, link, rel.Arguments.ForName("type").Value.Raw, other, prefixEach("\n  ", props)))
				input = append(input, fmt.Sprintf("%s: [%s!]", f.Name, link))
				links = append(links, fmt.Sprintf("%s: [%s!]", f.Name, link))
				unlinks = append(unlinks, fmt.Sprintf("%s: [ID!]", f.Name))
			case f.Type.Elem != nil:
				input = append(input, f.Name+": "+nullable(f.Type))
				patch = append(patch, f.Name+": "+nullable(f.Type))
			default:
				input = append(input, f.Name+": "+f.Type.String())
				if f.Name != "id" {
					patch = append(patch, f.Name+": "+nullable(f.Type))
				}
			}
		}
		g.addSDL(fmt.Sprintf("\"A %[1]s to create, with relationships to create along.\"\ninput %[1]sInput {\n  %[2]s\n}", d.Name, strings.Join(input, "\n  ")))
		g.addSDL(fmt.Sprintf("\"New values for fields of %[1]s; fields not given keep their value, null clears one.\"\ninput %[1]sPatch {\n  %[2]s\n}", d.Name, strings.Join(patch, "\n  ")))
		update := fmt.Sprintf("update%s(where: %sWhere!, set: %sPatch", up, d.Name, d.Name)
		if len(links) > 0 {
			g.addSDL(fmt.Sprintf("input %[1]sLinks {\n  %[2]s\n}\n\"Relationships to remove, by the id of the node at the far end.\"\ninput %[1]sUnlinks {\n  %[3]s\n}",
				d.Name, strings.Join(links, "\n  "), strings.Join(unlinks, "\n  ")))
			update += fmt.Sprintf(", connect: %[1]sLinks, disconnect: %[1]sUnlinks", d.Name)
		}
		fields = append(fields, g.parseFields(fmt.Sprintf(`
		  "Creates %[2]s nodes, with relationships to existing or new nodes, in one transaction. An id in use is a CONFLICT."
		  create%[1]s(input: [%[2]sInput!]!): [%[2]s!]! @auth(requires: EDITOR) @write(op: CREATE, type: %[2]q)
		  "Sets fields of, and connects or disconnects relationships of, the %[2]s nodes that match, in one transaction."
		  %[3]s): [%[2]s!]! @auth(requires: EDITOR) @write(op: UPDATE, type: %[2]q)
		  "Deletes the %[2]s nodes that match, with their relationships."
		  delete%[1]s(where: %[2]sWhere!): DeleteResult! @auth(requires: ADMIN) @write(op: DELETE, type: %[2]q)`,
			up, d.Name, update))...)
	}
	var types, props []string
	for t := range relTypes {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, p := range sortedKeys(boolKeys(edgeProps)) {
		props = append(props, p+": "+edgeProps[p])
	}
	var facts []string
	for _, d := range nodes {
		if d.Name == "Source" {
			continue
		}
		var own []string
		for _, f := range d.Fields {
			if f.Directives.ForName("relationship") != nil || computed(f) {
				continue
			}
			if f.Name == "id" {
				own = append(own, "id: ID!")
				continue
			}
			own = append(own, f.Name+": "+nullable(f.Type))
		}
		g.addSDL(fmt.Sprintf("\"A %[1]s stated by the source: matched to an existing one by id, else by name or alias (case-insensitive), else created.\"\ninput %[1]sFact {\n  %[2]s\n}", d.Name, strings.Join(own, "\n  ")))
		facts = append(facts, fmt.Sprintf("%s: %sFact", lowerFirst(d.Name), d.Name))
	}
	g.addSDL(fmt.Sprintf(`"A kind of relationship a fact can state."
enum RelationshipType { %[1]s }
"A relationship stated by the source, between entities named by id (in this batch or already in the graph). Give only the properties its kind has."
input RelationshipFact {
  type: RelationshipType!
  from: ID!
  to: ID!
  "Tells apart two relationships of one type between the same nodes."
  key: String
  %[2]s
}
"One fact: exactly one entity or relationship, with the source's sentences that state it."
input FactInput {
  %[3]s
  relationship: RelationshipFact
  "Sentences of the source, word for word, that state the fact."
  sentences: [String!]!
  "How the fact was obtained from the sentences: by hand or reviewed by a person (MANUAL), by a program (EXTRACTED), from a dataset (DATASET)."
  method: EvidenceMethod = MANUAL
  "How sure the extraction is, from 0 to 1: required for EXTRACTED; 1 when not given otherwise."
  confidence: Float
}`, strings.Join(types, " "), strings.Join(props, "\n  "), strings.Join(facts, "\n  ")))
	g.addSDL(mutationShared)
	if g.defs["Map"] == nil {
		// ingestArticle answers each fact as a FactInput, a JSON object.
		g.addSDL(`"A JSON object."
scalar Map`)
	}
	fields = append(fields, g.parseFields(`
	  "Upserts a source and the facts it states, in ONE transaction: all are written or none. Invalid facts are all reported at once; the same input twice leaves the same graph."
	  ingest(source: SourceInput!, facts: [FactInput!]!): IngestResult! @auth(requires: EDITOR) @write(op: INGEST, type: "Source")
	  """
	  Reads an article (source.text, in English) with the extractor and writes the facts it states as ingest does, in ONE transaction: entities, relationships and events, each with the sentences that state it, word for word. Entities are matched to the graph by id, name or alias, across the organisation types; a person by a surname alone only when one person has it. A fact the graph cannot hold is SKIPPED, with the reason, and the others are written: an entity whose id another fact of the article or a node of the graph holds as a type it cannot join (a person and a company), with the relationships that hang on it, too. dryRun: true writes nothing and answers the same. Each fact is answered as the FactInput it was written as, so it can be reviewed and sent to ingest. Empty text is BAD_USER_INPUT, text over the limit LIMIT_EXCEEDED, another language UNSUPPORTED_LANGUAGE, and no extractor EXTRACTOR_UNAVAILABLE.
	  """
	  ingestArticle(source: SourceInput!, dryRun: Boolean = false): ArticleIngest! @auth(requires: EDITOR) @write(op: ARTICLE, type: "Source")
	  """
	  Reads several articles, each as ingestArticle does and in its own transaction, one after the other, and answers one outcome per article, in the order of sources. An article that fails (UNSUPPORTED_LANGUAGE, EXTRACTOR_UNAVAILABLE, ...) has a null article and an error at that path, with its code, and the others are written all the same. An article whose Source already records the sha256 of the same text is not read or written again: alreadyIngested. More sources than the limit is LIMIT_EXCEEDED.
	  """
	  ingestArticles(sources: [SourceInput!]!, dryRun: Boolean = false): [ArticleBatchOutcome!]! @auth(requires: EDITOR) @write(op: ARTICLES, type: "Source")`)...)
	return fields
}

const mutationShared = `
"What a mutation writes; the engine dispatches on it."
directive @write(op: WriteOp!, type: String!) on FIELD_DEFINITION
enum WriteOp { CREATE UPDATE DELETE INGEST ARTICLE ARTICLES }

"A sentence of a source that states a relationship."
input EvidenceInput {
  source: ID!
  sentence: String!
  "How the fact was obtained from the sentence."
  method: EvidenceMethod = MANUAL
  "How sure the extraction is, from 0 to 1: required for EXTRACTED; 1 when not given otherwise."
  confidence: Float
}

type DeleteResult {
  nodesDeleted: Int!
  relationshipsDeleted: Int!
}

enum IngestOutcomeKind {
  "Not in the graph before."
  CREATED
  "In the graph before (by id, name or alias); new properties or evidence were added."
  MATCHED
  "In the graph before with all of it; nothing was written."
  UNCHANGED
}

"What became of one fact."
type IngestOutcome {
  "The fact's position in the batch."
  index: Int!
  outcome: IngestOutcomeKind!
  "The entity's id, or the relationship as from-TYPE->to."
  id: ID!
}

type IngestResult {
  created: Int!
  matched: Int!
  unchanged: Int!
  facts: [IngestOutcome!]!
}

enum ArticleOutcome {
  "Not in the graph before."
  CREATED
  "In the graph before (by id, name or alias); new properties or evidence were added."
  MATCHED
  "In the graph before with all of it; nothing was written."
  UNCHANGED
  "Not written: reason says why."
  SKIPPED
}

"How an extracted entity was found in the graph."
enum MatchedBy {
  ID
  NAME
  ALIAS
}

"One fact an article states, as extracted and resolved."
type ArticleFact {
  "The fact's position in the extractor's answer."
  index: Int!
  outcome: ArticleOutcome!
  "The entity's id, or the relationship as from-TYPE->to."
  id: ID!
  "The fact as a FactInput (the graph's ids, word-for-word sentences): what ingest takes."
  fact: Map!
  "How sure the rule that found the fact is, 0 to 1."
  confidence: Float!
  "The rule that found it."
  rule: String!
  "How an entity was found in the graph; null when it is new, and for relationships."
  matchedBy: MatchedBy
  "Why a SKIPPED fact was not written."
  reason: String
}

type ArticleIngest {
  "The source's id."
  source: ID!
  "Whether nothing was written."
  dryRun: Boolean!
  created: Int!
  matched: Int!
  unchanged: Int!
  skipped: Int!
  facts: [ArticleFact!]!
}

"What became of one article of ingestArticles."
type ArticleBatchOutcome {
  "The article's position in sources."
  index: Int!
  "The source's id."
  source: ID!
  "The graph holds the article already: its Source records the sha256 of the same text. Nothing was read or written, and article is null."
  alreadyIngested: Boolean!
  "What ingestArticle answers for the article; null when it was ingested already, or when it failed, with the error at this path."
  article: ArticleIngest
}
`

// otherEnd is the node type and field name at the far end of a
// relationship field of owner whose element is edge type e.
func (g *generator) otherEnd(e *ast.Definition, rel *ast.Directive, owner string) (typeName, field string) {
	out := rel.Arguments.ForName("direction").Value.Raw == "OUT"
	for _, f := range e.Fields {
		if out && f.Directives.ForName("to") != nil || !out && f.Directives.ForName("from") != nil {
			return f.Type.Name(), f.Name
		}
	}
	return owner, ""
}

func (g *generator) plural(d *ast.Definition) string {
	if p := d.Directives.ForName("node").Arguments.ForName("plural"); p != nil {
		return p.Value.Raw
	}
	return lowerFirst(d.Name) + "s"
}

func nullable(t *ast.Type) string {
	c := *t
	c.NonNull = false
	return c.String()
}

func ucFirst(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func boolKeys(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
