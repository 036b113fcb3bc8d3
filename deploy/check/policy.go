package check

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The names Policy looks for.
const (
	APIName   = "companygraph" // the Deployment, its Service and its budget
	Neo4jName = "neo4j"        // StatefulSet and Service, when bundled
	NATSName  = "nats"         // StatefulSet and Service, when bundled
)

// SecretKeys are what the API's Secret holds, and only it.
var SecretKeys = []string{"COMPANYGRAPH_API_KEYS", "COMPANYGRAPH_JWT_SECRET", "NEO4J_PASSWORD"}

// writableRoot names the workloads allowed a writable root filesystem,
// with the reason.
var writableRoot = map[string]string{
	Neo4jName: "the neo4j image's entrypoint writes conf/neo4j.conf",
}

// readyzTimeout is how long /readyz waits for Neo4j
// (internal/server/server.go); the readiness probe must wait longer.
const readyzTimeout = 3 * time.Second

// drainSpare is the least time the grace period must leave, past the
// preStop sleep and the server's shutdown deadline, to close the driver.
const drainSpare = 5

type objects struct {
	deployments  []*appsv1.Deployment
	statefulSets []*appsv1.StatefulSet
	services     []*corev1.Service
	configMaps   []*corev1.ConfigMap
	secrets      []*corev1.Secret
	budgets      []*policyv1.PodDisruptionBudget
}

func find[T metav1.Object](list []T, name string) T {
	for _, o := range list {
		if o.GetName() == name {
			return o
		}
	}
	var zero T
	return zero
}

// workload is a Deployment's or a StatefulSet's pods.
type workload struct {
	kind, name string
	tmpl       *corev1.PodTemplateSpec
	claims     []corev1.PersistentVolumeClaim
}

func (w workload) String() string { return w.kind + "/" + w.name }

func (o objects) workloads() []workload {
	var ws []workload
	for _, d := range o.deployments {
		ws = append(ws, workload{"Deployment", d.Name, &d.Spec.Template, nil})
	}
	for _, s := range o.statefulSets {
		ws = append(ws, workload{"StatefulSet", s.Name, &s.Spec.Template, s.Spec.VolumeClaimTemplates})
	}
	return ws
}

// Policy holds the decoded manifests to what running companygraph needs,
// and returns every way they fall short.
func Policy(objs []runtime.Object, repo Repo) []error {
	var o objects
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, obj := range objs {
		switch v := obj.(type) {
		case *appsv1.Deployment:
			o.deployments = append(o.deployments, v)
		case *appsv1.StatefulSet:
			o.statefulSets = append(o.statefulSets, v)
		case *corev1.Service:
			o.services = append(o.services, v)
		case *corev1.ConfigMap:
			o.configMaps = append(o.configMaps, v)
		case *corev1.Secret:
			o.secrets = append(o.secrets, v)
		case *policyv1.PodDisruptionBudget:
			o.budgets = append(o.budgets, v)
		default:
			fail("%T: a kind deploy/ has no policy for", obj)
		}
	}
	for _, w := range o.workloads() {
		errs = append(errs, podPolicy(w, o)...)
	}
	for _, s := range o.services {
		errs = append(errs, servicePolicy(s, o)...)
	}
	api := find(o.deployments, APIName)
	if api == nil {
		fail("no Deployment %q", APIName)
		return errs
	}
	errs = append(errs, apiPolicy(api, o, repo)...)
	if s := find(o.statefulSets, Neo4jName); s != nil {
		errs = append(errs, neo4jPolicy(s)...)
	}
	if s := find(o.statefulSets, NATSName); s != nil {
		errs = append(errs, natsPolicy(s, o)...)
	}
	return errs
}

// podPolicy: what every pod of deploy/ must have.
func podPolicy(w workload, o objects) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{w}, args...)...))
	}
	spec := &w.tmpl.Spec
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		fail("automountServiceAccountToken must be false: nothing here calls the Kubernetes API")
	}
	if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
		fail("enableServiceLinks must be false: the injected NEO4J_* and NATS_* variables would be read as settings")
	}
	podNonRoot := spec.SecurityContext != nil && isTrue(spec.SecurityContext.RunAsNonRoot)
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	for _, c := range w.claims {
		volumes[c.Name] = true
	}
	for _, c := range spec.Containers {
		in := func(format string, args ...any) { fail("container %s: "+format, append([]any{c.Name}, args...)...) }
		if !pinned(c.Image) {
			in("image %q: name a tag (not latest) or a digest", c.Image)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Requests[r]; !ok {
				in("no %s request", r)
			}
			if _, ok := c.Resources.Limits[r]; !ok {
				in("no %s limit", r)
			}
		}
		sc := c.SecurityContext
		if sc == nil {
			in("no securityContext")
			continue
		}
		if !podNonRoot && !isTrue(sc.RunAsNonRoot) {
			in("runAsNonRoot must be true, for the pod or the container")
		}
		if sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot {
			in("runAsNonRoot: false")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			in("allowPrivilegeEscalation must be false")
		}
		if isTrue(sc.Privileged) {
			in("privileged")
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			in("capabilities must drop ALL")
		} else if len(sc.Capabilities.Add) > 0 {
			in("capabilities add %v", sc.Capabilities.Add)
		}
		if _, exempt := writableRoot[w.name]; !exempt && !isTrue(sc.ReadOnlyRootFilesystem) {
			in("readOnlyRootFilesystem must be true")
		}
		if c.ReadinessProbe == nil || c.LivenessProbe == nil {
			in("needs a readinessProbe and a livenessProbe")
		}
		for _, p := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe, c.LivenessProbe} {
			if p == nil {
				continue
			}
			var port intstr.IntOrString
			switch {
			case p.HTTPGet != nil:
				port = p.HTTPGet.Port
			case p.TCPSocket != nil:
				port = p.TCPSocket.Port
			default:
				continue
			}
			if !hasPort(c, port) {
				in("a probe's port %s is none of the container's", port.String())
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				in("mounts %q, which is neither a volume nor a volume claim template", m.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil && find(o.configMaps, e.ConfigMapRef.Name) == nil {
				in("envFrom ConfigMap %q, which the manifests do not have", e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil && find(o.secrets, e.SecretRef.Name) == nil {
				in("envFrom Secret %q, which the manifests do not have", e.SecretRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.SecretKeyRef
			if s := find(o.secrets, ref.Name); s == nil {
				in("env %s: Secret %q, which the manifests do not have", e.Name, ref.Name)
			} else if _, ok := s.Data[ref.Key]; !ok {
				in("env %s: Secret %q has no key %q", e.Name, ref.Name, ref.Key)
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && find(o.configMaps, v.ConfigMap.Name) == nil {
			fail("volume %s: ConfigMap %q, which the manifests do not have", v.Name, v.ConfigMap.Name)
		}
	}
	return errs
}

// servicePolicy: a Service selects the pods of a workload, on their ports.
func servicePolicy(s *corev1.Service, o objects) []error {
	var errs []error
	sel := labels.SelectorFromSet(s.Spec.Selector)
	var pods []workload
	for _, w := range o.workloads() {
		if len(s.Spec.Selector) > 0 && sel.Matches(labels.Set(w.tmpl.Labels)) {
			pods = append(pods, w)
		}
	}
	if len(pods) == 0 {
		return []error{fmt.Errorf("Service/%s: its selector %v matches no workload's pods", s.Name, s.Spec.Selector)}
	}
	for _, p := range s.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		for _, w := range pods {
			if !slices.ContainsFunc(w.tmpl.Spec.Containers, func(c corev1.Container) bool { return hasPort(c, target) }) {
				errs = append(errs, fmt.Errorf("Service/%s: port %s targets %s, which no container of %s has", s.Name, p.Name, target.String(), w))
			}
		}
	}
	return errs
}

// apiPolicy: the API's Deployment, Service, budget and settings.
func apiPolicy(d *appsv1.Deployment, o objects, repo Repo) []error {
	var errs []error
	// failOn reports on the object named who; fail on the Deployment.
	failOn := func(who, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{who}, args...)...))
	}
	fail := func(format string, args ...any) { failOn("Deployment/"+d.Name, format, args...) }
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if replicas < 2 {
		fail("replicas %d: at least 2, so that a drain or a rolling update leaves one serving", replicas)
	}
	spec := &d.Spec.Template.Spec
	podLabels := labels.Set(d.Spec.Template.Labels)
	if len(spec.Containers) != 1 {
		fail("%d containers, want the API alone", len(spec.Containers))
		return errs
	}
	c := spec.Containers[0]
	http := containerPort(c, "http")
	if http == 0 {
		fail("no container port named http")
	}
	probes := []struct {
		name, path string
		p          *corev1.Probe
	}{
		{"startupProbe", "/healthz", c.StartupProbe},
		{"readinessProbe", "/readyz", c.ReadinessProbe},
		{"livenessProbe", "/healthz", c.LivenessProbe},
	}
	for _, p := range probes {
		if p.p == nil || p.p.HTTPGet == nil {
			fail("%s: want GET %s on port http", p.name, p.path)
			continue
		}
		if g := p.p.HTTPGet; g.Path != p.path || !hasPort(c, g.Port) || portOf(c, g.Port) != http {
			fail("%s: GET %s on port %s, want GET %s on port http", p.name, g.Path, g.Port.String(), p.path)
		}
	}
	if p := c.ReadinessProbe; p != nil && time.Duration(max(p.TimeoutSeconds, 1))*time.Second <= readyzTimeout {
		fail("readinessProbe: timeoutSeconds %d, want more than the %s /readyz gives Neo4j", p.TimeoutSeconds, readyzTimeout)
	}
	var preStop int64
	switch h := c.Lifecycle; {
	case h == nil || h.PreStop == nil:
		fail("no preStop hook: a terminating pod would stop before the endpoints stop sending it requests")
	case h.PreStop.Sleep == nil:
		fail("preStop must be a sleep action: the distroless image has no shell or sleep to exec")
	default:
		preStop = h.PreStop.Sleep.Seconds
		if preStop < 1 {
			fail("preStop sleeps %d s", preStop)
		}
	}
	grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
	if spec.TerminationGracePeriodSeconds != nil {
		grace = *spec.TerminationGracePeriodSeconds
	}
	if need := preStop + int64(repo.ShutdownSeconds) + drainSpare; grace < need {
		fail("terminationGracePeriodSeconds %d: want at least %d (preStop %d s + shutdown %d s + %d s)",
			grace, need, preStop, repo.ShutdownSeconds, drainSpare)
	}
	if !spreadsOverNodes(spec, podLabels) {
		fail("neither a topologySpreadConstraint nor a pod anti-affinity on kubernetes.io/hostname selects the API's pods")
	}
	if s := d.Spec.Strategy; s.Type == appsv1.RecreateDeploymentStrategyType {
		fail("strategy Recreate stops every pod at once")
	}

	// Settings: the ConfigMap's are settings the server reads and none is
	// a secret; the Secret holds exactly the secrets.
	var cm *corev1.ConfigMap
	var sec *corev1.Secret
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil {
			cm = find(o.configMaps, e.ConfigMapRef.Name)
		}
		if e.SecretRef != nil {
			sec = find(o.secrets, e.SecretRef.Name)
		}
	}
	if cm == nil || sec == nil {
		fail("wants envFrom a ConfigMap (the settings) and a Secret (%s)", strings.Join(SecretKeys, ", "))
		return errs
	}
	for k, v := range cm.Data {
		switch {
		case strings.Contains(v, " #"):
			failOn("ConfigMap/"+cm.Name, "%s=%q: a comment after a value is part of the value", k, v)
		case slices.Contains(SecretKeys, k):
			failOn("ConfigMap/"+cm.Name, "holds %s, a secret: it goes in secrets.env", k)
		case !repo.Settings[k]:
			failOn("ConfigMap/"+cm.Name, "%s is no setting of the server (internal/config)", k)
		}
	}
	var keys []string
	for k := range sec.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, SecretKeys) {
		failOn("Secret/"+sec.Name, "holds %v, want %v", keys, SecretKeys)
	}
	cmFail := func(format string, args ...any) { failOn("ConfigMap/"+cm.Name, format, args...) }
	if addr := cm.Data["COMPANYGRAPH_ADDR"]; addr == "" {
		cmFail("COMPANYGRAPH_ADDR unset; the server would listen on 127.0.0.1 only")
	} else if host, port, err := net.SplitHostPort(addr); err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		cmFail("COMPANYGRAPH_ADDR %q: want all interfaces, such as :%d", addr, http)
	} else if port != strconv.Itoa(int(http)) {
		cmFail("COMPANYGRAPH_ADDR %q listens on another port than the container's http (%d)", addr, http)
	}
	if t := cm.Data["COMPANYGRAPH_QUERY_TIMEOUT"]; t != "" {
		if d, err := time.ParseDuration(t); err != nil || d >= time.Duration(repo.ShutdownSeconds)*time.Second {
			cmFail("COMPANYGRAPH_QUERY_TIMEOUT %q: want a duration below the %d s shutdown deadline", t, repo.ShutdownSeconds)
		}
	}
	if err := inNamespace(o, cm.Data["NEO4J_URI"], 7687); err != nil {
		cmFail("NEO4J_URI: %v", err)
	}
	if u := cm.Data["COMPANYGRAPH_NATS_URL"]; u == "" {
		cmFail("COMPANYGRAPH_NATS_URL unset: with more than one replica a subscription misses the others' writes")
	} else if err := inNamespace(o, u, 4222); err != nil {
		cmFail("COMPANYGRAPH_NATS_URL: %v", err)
	}

	if s := find(o.services, APIName); s == nil {
		failOn("Service/"+APIName, "missing")
	} else if !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) || len(s.Spec.Selector) == 0 {
		failOn("Service/"+s.Name, "does not select the API's pods")
	}
	pdb := find(o.budgets, APIName)
	if pdb == nil {
		failOn("PodDisruptionBudget/"+APIName, "missing")
		return errs
	}
	pdbFail := func(format string, args ...any) { failOn("PodDisruptionBudget/"+pdb.Name, format, args...) }
	if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err != nil || sel.Empty() || !sel.Matches(podLabels) {
		pdbFail("does not select the API's pods")
	}
	switch s := pdb.Spec; {
	case s.MaxUnavailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(s.MaxUnavailable, int(replicas), true); err != nil || n < 1 {
			pdbFail("maxUnavailable %s lets no pod be drained", s.MaxUnavailable.String())
		}
	case s.MinAvailable != nil:
		if n, err := intstr.GetScaledValueFromIntOrPercent(s.MinAvailable, int(replicas), true); err != nil || n >= int(replicas) || n < 1 {
			pdbFail("minAvailable %s of %d replicas: want 1 to %d", s.MinAvailable.String(), replicas, replicas-1)
		}
	default:
		pdbFail("sets neither maxUnavailable nor minAvailable")
	}
	return errs
}

// inNamespace checks that a URI naming a short host (a Service of the same
// namespace) names one the manifests have, on a port it serves; a URI with
// a dotted host is outside and left alone.
func inNamespace(o objects, uri string, defPort int32) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is no URI", uri)
	}
	host := u.Hostname()
	if strings.Contains(host, ".") || net.ParseIP(host) != nil {
		return nil
	}
	port := defPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("%q: bad port", uri)
		}
		port = int32(n)
	}
	s := find(o.services, host)
	if s == nil {
		return fmt.Errorf("%q names Service %q, which the manifests do not have", uri, host)
	}
	if !slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == port }) {
		return fmt.Errorf("%q: Service %q has no port %d", uri, host, port)
	}
	return nil
}

func neo4jPolicy(s *appsv1.StatefulSet) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("StatefulSet/%s: "+format, append([]any{s.Name}, args...)...))
	}
	if s.Spec.Replicas != nil && *s.Spec.Replicas != 1 {
		fail("replicas %d: Community Edition runs a single instance", *s.Spec.Replicas)
	}
	for _, c := range s.Spec.Template.Spec.Containers {
		if !strings.HasPrefix(c.Image, "neo4j:5.26") || !strings.Contains(c.Image, "community") {
			fail("image %q: want neo4j:5.26-community, the version the tests run", c.Image)
		}
		if !mountsClaim(c, s.Spec.VolumeClaimTemplates, "/data") {
			fail("/data is not on a volume claim: the graph would go with the pod")
		}
		for _, e := range c.Env {
			if e.Name == "NEO4J_PASSWORD" {
				fail("env NEO4J_PASSWORD: the image reads every NEO4J_* variable as a setting, and refuses this one")
			}
		}
	}
	return errs
}

var storeDirRe = regexp.MustCompile(`(?m)^\s*store_dir:\s*"?([^"\s]+)"?`)

func natsPolicy(s *appsv1.StatefulSet, o objects) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("StatefulSet/%s: "+format, append([]any{s.Name}, args...)...))
	}
	spec := s.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		return append(errs, fmt.Errorf("StatefulSet/%s: %d containers, want nats alone", s.Name, len(spec.Containers)))
	}
	c := spec.Containers[0]
	if !strings.HasPrefix(c.Image, "nats:2.10") {
		fail("image %q: want nats:2.10", c.Image)
	}
	// The configuration file nats-server is given, from its ConfigMap.
	conf := ""
	for i, a := range c.Args {
		if (a == "--config" || a == "-c") && i+1 < len(c.Args) {
			conf = c.Args[i+1]
		}
	}
	var text string
	for _, m := range c.VolumeMounts {
		if !strings.HasPrefix(conf, m.MountPath+"/") {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil {
				if cm := find(o.configMaps, v.ConfigMap.Name); cm != nil {
					text = cm.Data[strings.TrimPrefix(conf, m.MountPath+"/")]
				}
			}
		}
	}
	if text == "" {
		fail("--config %q is no file of a mounted ConfigMap", conf)
		return errs
	}
	dir := storeDirRe.FindStringSubmatch(text)
	if !strings.Contains(text, "jetstream") || dir == nil {
		fail("%s enables no JetStream with a store_dir", conf)
		return errs
	}
	if !mountsClaim(c, s.Spec.VolumeClaimTemplates, dir[1]) {
		fail("JetStream's store_dir %s is not on a volume claim", dir[1])
	}
	return errs
}

// spreadsOverNodes: a hard or soft spread of the pods over nodes.
func spreadsOverNodes(spec *corev1.PodSpec, pod labels.Set) bool {
	selects := func(s *metav1.LabelSelector) bool {
		sel, err := metav1.LabelSelectorAsSelector(s)
		return err == nil && !sel.Empty() && sel.Matches(pod)
	}
	for _, t := range spec.TopologySpreadConstraints {
		if t.TopologyKey == corev1.LabelHostname && selects(t.LabelSelector) {
			return true
		}
	}
	if a := spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
			if t.TopologyKey == corev1.LabelHostname && selects(t.LabelSelector) {
				return true
			}
		}
		for _, t := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			if t.PodAffinityTerm.TopologyKey == corev1.LabelHostname && selects(t.PodAffinityTerm.LabelSelector) {
				return true
			}
		}
	}
	return false
}

func mountsClaim(c corev1.Container, claims []corev1.PersistentVolumeClaim, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path && slices.ContainsFunc(claims, func(p corev1.PersistentVolumeClaim) bool { return p.Name == m.Name }) {
			return true
		}
	}
	return false
}

func hasPort(c corev1.Container, p intstr.IntOrString) bool { return portOf(c, p) != 0 }

// portOf is the container port p names or numbers, or 0.
func portOf(c corev1.Container, p intstr.IntOrString) int32 {
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return cp.ContainerPort
		}
	}
	return 0
}

func containerPort(c corev1.Container, name string) int32 { return portOf(c, intstr.FromString(name)) }

// pinned: a tag other than latest, or a digest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	i := strings.LastIndex(image, ":")
	return i > strings.LastIndex(image, "/") && image[i+1:] != "latest"
}

func isTrue(b *bool) bool { return b != nil && *b }
