// Package check validates the Kubernetes manifests in deploy/ without a
// cluster, in four layers: kustomize builds them (Build), each object is
// decoded strictly into the Kubernetes API's Go types (Decode), checked
// against the API's JSON schemas (Schema), and held to what running
// companygraph needs (Policy). It is a module of its own, so that nothing
// it imports reaches the server's binary; it is not for rendering
// manifests (kubectl kustomize does that).
package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Build runs kustomize on the kustomization in dir, as `kubectl apply -k`
// does before it sends anything.
func Build(fsys filesys.FileSystem, dir string) (resmap.ResMap, error) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return m, nil
}

// scheme knows the kinds deploy/ may hold; any other is refused.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// Decode turns every built resource into its typed object, refusing
// unknown kinds, unknown or duplicate fields and values of the wrong type,
// as the API server's strict field validation does.
func Decode(m resmap.ResMap) ([]runtime.Object, error) {
	dec := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Yaml: true, Strict: true})
	var objs []runtime.Object
	var errs []error
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.CurId(), err))
			continue
		}
		obj, _, err := dec.Decode(y, nil, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s/%s: %w", r.GetKind(), r.GetName(), err))
			continue
		}
		objs = append(objs, obj)
	}
	return objs, errors.Join(errs...)
}

// Versions are the Kubernetes versions Schema checks against: the oldest
// the manifests need (the preStop sleep action is on by default from 1.30)
// and the newest kubernetes-validate has schemas for.
var Versions = []string{"1.30", "1.37"}

// Schema validates the built manifests with kubernetes-validate (the PyPI
// package, which ships the JSON schemas of each Kubernetes version) in
// strict mode, so a field the schema lacks is an error too. A kind it has
// no schema for is an error, not the tool's mere warning.
func Schema(ctx context.Context, validator string, m resmap.ResMap) error {
	y, err := m.AsYaml()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "deploy-check")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "manifests.yaml")
	if err := os.WriteFile(file, y, 0o600); err != nil {
		return err
	}
	args := []string{"--strict", "--quiet"}
	for _, v := range Versions {
		args = append(args, "-k", v)
	}
	cmd := exec.CommandContext(ctx, validator, append(args, file)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	report := strings.TrimSpace(strings.ReplaceAll(out.String(), file, "manifests"))
	if err != nil || report != "" {
		return fmt.Errorf("kubernetes-validate: %v\n%s", err, report)
	}
	return nil
}

// Repo is what Policy reads from the server's source, so that the
// manifests and the code cannot drift apart unnoticed.
type Repo struct {
	// Settings are the environment variables the server reads.
	Settings map[string]bool
	// ShutdownSeconds is how long the server lets requests in flight
	// finish after SIGTERM.
	ShutdownSeconds int
}

// pending are settings the manifests set before the server reads them:
// COMPANYGRAPH_NATS_URL arrives with the NATS bus (issue 13). Until then
// the server ignores it.
var pending = []string{"COMPANYGRAPH_NATS_URL"}

var (
	settingRe  = regexp.MustCompile(`"((?:COMPANYGRAPH|NEO4J)_[A-Z0-9_]+)"`)
	shutdownRe = regexp.MustCompile(`shutdown, cancel := context\.WithTimeout\([^,]+, (\d+)\s*\*\s*time\.Second\)`)
)

// ReadRepo reads the settings from internal/config and the shutdown
// deadline from cmd/companygraph/main.go of the repository at root.
func ReadRepo(root string) (Repo, error) {
	r := Repo{Settings: map[string]bool{}}
	files, err := filepath.Glob(filepath.Join(root, "internal", "config", "*.go"))
	if err != nil {
		return r, err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return r, err
		}
		for _, m := range settingRe.FindAllSubmatch(src, -1) {
			r.Settings[string(m[1])] = true
		}
	}
	if len(r.Settings) == 0 {
		return r, fmt.Errorf("no COMPANYGRAPH_* or NEO4J_* setting found in %s/internal/config", root)
	}
	for _, p := range pending {
		r.Settings[p] = true
	}
	main := filepath.Join(root, "cmd", "companygraph", "main.go")
	src, err := os.ReadFile(main)
	if err != nil {
		return r, err
	}
	m := shutdownRe.FindSubmatch(src)
	if m == nil {
		return r, fmt.Errorf("%s: no `shutdown, cancel := context.WithTimeout(..., N*time.Second)`; "+
			"update check.ReadRepo to find the shutdown deadline", main)
	}
	r.ShutdownSeconds, _ = strconv.Atoi(string(m[1]))
	return r, nil
}
