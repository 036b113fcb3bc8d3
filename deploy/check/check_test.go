package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The kustomization as a clone has it, read into memory so that a test may
// change a file without touching the disk.
const (
	deployDir = ".."
	repoRoot  = "../.."
	memDir    = "/deploy"
)

// load copies deploy/'s files into memory, with secrets.env made from the
// committed example (a developer's own secrets.env is never read), and
// applies edit to them.
func load(t *testing.T, edit func(files map[string]string)) filesys.FileSystem {
	t.Helper()
	entries, err := os.ReadDir(deployDir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "secrets.env" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(deployDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	files["secrets.env"] = files["secrets.env.example"]
	if edit != nil {
		edit(files)
	}
	fsys := filesys.MakeFsInMemory()
	for name, text := range files {
		if err := fsys.WriteFile(filepath.Join(memDir, name), []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	return fsys
}

// validator is kubernetes-validate, as `make deploy-check` installs it;
// without it the schema layer is skipped, unless
// COMPANYGRAPH_TEST_REQUIRE_SCHEMAS=1 (make) makes that a failure.
func validator(t *testing.T) string {
	t.Helper()
	v := os.Getenv("COMPANYGRAPH_KUBERNETES_VALIDATE")
	if v == "" {
		if os.Getenv("COMPANYGRAPH_TEST_REQUIRE_SCHEMAS") == "1" {
			t.Fatal("COMPANYGRAPH_KUBERNETES_VALIDATE is not set: run make deploy-check")
		}
		t.Skip("no kubernetes-validate (COMPANYGRAPH_KUBERNETES_VALIDATE); make deploy-check runs the schema layer")
	}
	return v
}

func repo(t *testing.T) Repo {
	t.Helper()
	r, err := ReadRepo(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestManifests: deploy/ as committed passes every layer.
func TestManifests(t *testing.T) {
	m, err := Build(load(t, nil), memDir)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range Policy(objs, repo(t)) {
		t.Error(err)
	}
	// The defaults the README promises.
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok && d.Name == APIName {
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 3 {
				t.Errorf("Deployment/%s: replicas %v, want 3 by default", d.Name, d.Spec.Replicas)
			}
		}
	}
	t.Logf("%d objects built, decoded and within policy", len(objs))
	t.Run("schema", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := Schema(ctx, validator(t), m); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSecretsNotShipped: without a secrets.env of the user's, the build
// fails, so no cluster gets the example's password.
func TestSecretsNotShipped(t *testing.T) {
	fsys := load(t, func(files map[string]string) { delete(files, "secrets.env") })
	if _, err := Build(fsys, memDir); err == nil || !strings.Contains(err.Error(), "secrets.env") {
		t.Fatalf("built without secrets.env: %v", err)
	}
}

// TestExternalNeo4j: the variant deploy/README.md describes for Aura or a
// cluster, neo4j.yaml left out and NEO4J_URI pointing outside, passes.
func TestExternalNeo4j(t *testing.T) {
	fsys := load(t, func(files map[string]string) {
		files["kustomization.yaml"] = strings.Replace(files["kustomization.yaml"], "  - neo4j.yaml\n", "", 1)
		files["config.env"] = strings.Replace(files["config.env"], "NEO4J_URI=bolt://neo4j:7687", "NEO4J_URI=neo4j+s://xxxxxxxx.databases.neo4j.io", 1)
	})
	m, err := Build(fsys, memDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Resources() {
		if r.GetName() == Neo4jName {
			t.Fatalf("%s/%s still built in", r.GetKind(), r.GetName())
		}
	}
	objs, err := Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range Policy(objs, repo(t)) {
		t.Error(err)
	}
}

// A broken manifest, and the layer that must refuse it.
type broken struct {
	name      string
	file      string
	old, new  string // new replaces old, which must occur once
	layer     string // build, decode, schema or policy
	wantError string
}

var brokenCases = []broken{
	{"missing resource", "kustomization.yaml", "  - nats.yaml\n", "  - nats.yaml\n  - missing.yaml\n", "build", "missing.yaml"},
	{"unknown kind", "api.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBuget", "decode", "PodDisruptionBuget"},
	{"unknown field", "api.yaml", "  replicas: 3\n", "  replica: 3\n", "decode", `unknown field "spec.replica"`},
	{"wrong type", "api.yaml", "  replicas: 3\n", "  replicas: three\n", "decode", "replicas"},
	{"probe field misspelt", "api.yaml", "            failureThreshold: 2\n", "            failureTreshold: 2\n", "decode", "failureTreshold"},
	{"container without a name", "nats.yaml", "        - name: nats\n          image: nats:2.10\n", "        - image: nats:2.10\n", "schema", "'name' is a required property"},
	{"service port out of type", "neo4j.yaml", "      port: 7687\n", "      port: {number: 7687}\n", "decode", "port"},
	{"unknown field, to the schema", "api.yaml", "            failureThreshold: 2\n", "            failureTreshold: 2\n", "schema", "'failureTreshold' was unexpected"},
	{"field newer than Kubernetes 1.30", "api.yaml", "          lifecycle:\n", "          lifecycle:\n            stopSignal: SIGTERM\n", "schema", "'stopSignal' was unexpected"},
	{"API version removed", "api.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n", "schema", "Couldn't find schema"},
	{"selector missing", "nats.yaml", "  selector:\n    matchLabels:\n      app.kubernetes.io/name: nats\n      app.kubernetes.io/component: broker\n  template:", "  template:", "schema", "'selector' is a required property"},
	{"readiness on /healthz", "api.yaml", "path: /readyz", "path: /healthz", "policy", "readinessProbe: GET /healthz"},
	{"runs as root", "api.yaml", "        runAsNonRoot: true\n        runAsUser: 65532\n", "        runAsNonRoot: false\n        runAsUser: 0\n", "policy", "runAsNonRoot"},
	{"privilege escalation", "nats.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "policy", "allowPrivilegeEscalation"},
	{"capabilities kept", "api.yaml", "            capabilities:\n              drop:\n                - ALL\n", "", "policy", "drop ALL"},
	{"writable root", "api.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "policy", "readOnlyRootFilesystem"},
	{"no memory limit", "nats.yaml", "              memory: 256Mi\n", "", "policy", "no memory limit"},
	{"grace too short", "api.yaml", "terminationGracePeriodSeconds: 35", "terminationGracePeriodSeconds: 20", "policy", "terminationGracePeriodSeconds 20"},
	{"no preStop", "api.yaml", "            preStop:\n              sleep:\n                seconds: 10\n", "            postStart:\n              sleep:\n                seconds: 1\n", "policy", "no preStop"},
	{"budget blocks drains", "api.yaml", "  maxUnavailable: 1\n", "  maxUnavailable: 0\n", "policy", "lets no pod be drained"},
	{"budget selects nothing", "api.yaml", "  unhealthyPodEvictionPolicy: AlwaysAllow\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: companygraph\n", "  unhealthyPodEvictionPolicy: AlwaysAllow\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: company-graph\n", "policy", "does not select"},
	{"no spread", "api.yaml", "topologyKey: kubernetes.io/hostname", "topologyKey: example.com/rack", "policy", "kubernetes.io/hostname"},
	{"one replica", "api.yaml", "  replicas: 3\n", "  replicas: 1\n", "policy", "replicas 1"},
	{"unknown setting", "config.env", "COMPANYGRAPH_QUERY_TIMEOUT=10s\n", "COMPANYGRAPH_QUERY_TIMEOUT=10s\nCOMPANYGRAPH_QUERY_TIMOUT=5s\n", "policy", "COMPANYGRAPH_QUERY_TIMOUT is no setting"},
	{"secret in the ConfigMap", "config.env", "NEO4J_USERNAME=neo4j\n", "NEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=hunter2\n", "policy", "holds NEO4J_PASSWORD, a secret"},
	{"comment after a value", "config.env", "COMPANYGRAPH_LOAD_SEED=true\n", "COMPANYGRAPH_LOAD_SEED=true # demo data\n", "policy", "a comment after a value"},
	{"query outlives the drain", "config.env", "COMPANYGRAPH_QUERY_TIMEOUT=10s", "COMPANYGRAPH_QUERY_TIMEOUT=30s", "policy", "COMPANYGRAPH_QUERY_TIMEOUT"},
	{"listens on loopback", "config.env", "COMPANYGRAPH_ADDR=:8080", "COMPANYGRAPH_ADDR=127.0.0.1:8080", "policy", "all interfaces"},
	{"Neo4j elsewhere by mistake", "config.env", "NEO4J_URI=bolt://neo4j:7687", "NEO4J_URI=bolt://neo4j-db:7687", "policy", `Service "neo4j-db"`},
	{"no NATS", "config.env", "COMPANYGRAPH_NATS_URL=nats://nats:4222\n", "", "policy", "COMPANYGRAPH_NATS_URL unset"},
	{"JetStream off the volume", "nats.conf", "store_dir: /data", "store_dir: /tmp/js", "policy", "store_dir /tmp/js"},
	{"image unpinned", "neo4j.yaml", "image: neo4j:5.26-community", "image: neo4j:latest", "policy", "neo4j:latest"},
	{"Service misses its pods", "neo4j.yaml", "      targetPort: bolt\n", "      targetPort: bolt-tls\n", "policy", "targets bolt-tls"},
	{"service links on", "neo4j.yaml", "      enableServiceLinks: false\n", "", "policy", "enableServiceLinks"},
}

// TestRefusesBroken: each broken manifest is refused, by the layer meant
// to catch it.
func TestRefusesBroken(t *testing.T) {
	r := repo(t)
	for _, c := range brokenCases {
		t.Run(c.name, func(t *testing.T) {
			fsys := load(t, func(files map[string]string) {
				text, ok := files[c.file]
				if !ok {
					t.Fatalf("no file %s", c.file)
				}
				if n := strings.Count(text, c.old); n != 1 {
					t.Fatalf("%s has %q %d times, want once", c.file, c.old, n)
				}
				files[c.file] = strings.Replace(text, c.old, c.new, 1)
			})
			err := refusal(t, fsys, c.layer, r)
			if err == nil {
				t.Fatalf("the %s layer accepted it", c.layer)
			}
			if !strings.Contains(err.Error(), c.wantError) {
				t.Fatalf("the %s layer refused it, but not with %q:\n%v", c.layer, c.wantError, err)
			}
		})
	}
}

// refusal runs the layers up to layer, each earlier one expected to pass,
// and returns what layer says.
func refusal(t *testing.T, fsys filesys.FileSystem, layer string, r Repo) error {
	t.Helper()
	m, err := Build(fsys, memDir)
	if layer == "build" || err != nil {
		return err
	}
	if layer == "schema" {
		// Before Decode, which may refuse it first: the schema layer must
		// refuse it on its own.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		return Schema(ctx, validator(t), m)
	}
	objs, err := Decode(m)
	if layer == "decode" || err != nil {
		return err
	}
	return errors.Join(Policy(objs, r)...)
}
