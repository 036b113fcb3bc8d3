// Package neo4jtest gives integration tests a real Neo4j: the shared one
// that `make test` starts and names in the environment, or a private one
// that a test starts, stops, restarts and imports into itself through
// tools/neo4j/neo4j.sh.
package neo4jtest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Environment set by `make test`.
const (
	EnvURI      = "COMPANYGRAPH_TEST_NEO4J_URI"
	EnvPassword = "COMPANYGRAPH_TEST_NEO4J_PASSWORD"
	// EnvRequire turns a missing Neo4j into a failure instead of a skip,
	// so `make test` and CI can never pass by skipping.
	EnvRequire = "COMPANYGRAPH_TEST_REQUIRE_NEO4J"
)

// Conn is how to reach a Neo4j.
type Conn struct {
	URI, Password string
}

// Shared returns the Neo4j that `make test` started. Without one, the test
// is skipped, unless EnvRequire is set.
func Shared(t testing.TB) Conn {
	t.Helper()
	uri := os.Getenv(EnvURI)
	if uri == "" {
		missing(t, EnvURI+" is not set; run the integration tests with `make test`")
	}
	return Conn{URI: uri, Password: os.Getenv(EnvPassword)}
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(EnvRequire) != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// Server is a private Neo4j owned by one test.
type Server struct {
	Conn
	t      testing.TB
	dir    string
	port   string
	script string
}

// New prepares a private Neo4j on a free port, not yet started; it is
// stopped when the test ends. Its URI is known before it starts, so a test
// can point the API at it first.
func New(t testing.TB, password string) *Server {
	t.Helper()
	script := filepath.Join(repoRoot(t), "tools", "neo4j", "neo4j.sh")
	if _, err := exec.LookPath("java"); err != nil {
		missing(t, "java is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	s := &Server{t: t, dir: t.TempDir(), port: port, script: script}
	s.URI, s.Password = "bolt://127.0.0.1:"+port, password
	t.Cleanup(s.Stop)
	return s
}

// Start starts the server, on its port and with the data it had if it ran before.
func (s *Server) Start() {
	s.t.Helper()
	begin := time.Now()
	s.run("start")
	s.t.Logf("neo4j on %s started in %v", s.URI, time.Since(begin).Round(time.Millisecond))
}

// Stop stops the server and waits until it has exited.
func (s *Server) Stop() {
	s.t.Helper()
	begin := time.Now()
	s.run("stop")
	s.t.Logf("neo4j on %s stopped in %v", s.URI, time.Since(begin).Round(time.Millisecond))
}

// Import replaces the stopped server's database with what neo4j-admin
// database import full makes of args (the files and their format).
func (s *Server) Import(args ...string) {
	s.t.Helper()
	begin := time.Now()
	s.run("import", args...)
	s.t.Logf("neo4j on %s imported in %v", s.URI, time.Since(begin).Round(time.Millisecond))
}

func (s *Server) run(verb string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.script, append([]string{verb}, args...)...)
	cmd.Env = append(os.Environ(), "NEO4J_DIR="+s.dir, "NEO4J_BOLT_PORT="+s.port, "NEO4J_PASSWORD="+s.Password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("neo4j.sh %s: %v\n%s", verb, err, stderr.String())
	}
	return stdout.String()
}

// repoRoot is the directory holding go.mod, found upwards from the test's
// package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}
