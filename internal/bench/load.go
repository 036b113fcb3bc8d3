package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/companygraph/companygraph/internal/datagen"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// loading is how the graph went into Neo4j and what each step took.
type loading struct {
	imported bool // by neo4j-admin import, else by UNWIND transactions

	nodes, rels int
	total       time.Duration
	cpu         CPU   // over the whole load
	rss         int64 // the server's peak RSS

	unwind datagen.LoadStats // by UNWIND

	// By import: the CSV files, the import (its CPU seconds and peak RSS,
	// a process of its own), the server's start, and what is left once it
	// runs (empty arrays, schema).
	csv                 datagen.CSVFiles
	importTime, started time.Duration
	importCPU           float64
	importRSS           int64
	finish              datagen.FinishStats
}

// load puts g into the benchmark's Neo4j and returns a client of it. With
// cfg.Neo4jDir it writes the import files into the work directory,
// imports them into that stopped Neo4j, starts it (setting cfg.Neo4jURI
// and cfg.Neo4jPID) and finishes the import; stop then stops that Neo4j.
// Without, it loads the running Neo4j at cfg.Neo4jURI by UNWIND
// transactions, and stop does nothing.
func load(ctx context.Context, cfg *Config, g *datagen.Graph, m *query.Mapping, say func(string, ...any)) (client *neo4j.Client, l loading, stop func(), err error) {
	stop = func() {}
	start := time.Now()
	w := &watcher{neo4j: cfg.Neo4jPID}
	before := w.sample()
	if cfg.Neo4jDir == "" {
		if client, err = openNeo4j(cfg); err != nil {
			return nil, l, stop, err
		}
		say("loading %d nodes (seed %d) into %s by UNWIND transactions", g.Nodes, cfg.Seed, cfg.Neo4jURI)
		if l.unwind, err = datagen.Load(ctx, client, m, g, datagen.LoadOptions{}); err != nil {
			client.Close(context.WithoutCancel(ctx))
			return nil, l, stop, err
		}
		l.nodes, l.rels, l.total = l.unwind.Nodes, l.unwind.Relationships, l.unwind.Total
		l.cpu, l.rss = w.sample().sub(before), PeakRSS(cfg.Neo4jPID)
		return client, l, stop, nil
	}

	l.imported = true
	n := &launcher{script: cfg.Neo4jScript, dir: cfg.Neo4jDir, password: cfg.Neo4jPassword, log: filepath.Join(cfg.WorkDir, "neo4j-import.log")}
	dir := filepath.Join(cfg.WorkDir, "csv")
	say("writing %d nodes (seed %d) as CSV files into %s", g.Nodes, cfg.Seed, dir)
	if l.csv, err = datagen.WriteCSV(ctx, dir, m, g); err != nil {
		return nil, l, stop, err
	}
	say("wrote %d nodes and %d relationships, %s, in %s; importing into %s (log %s)", l.csv.NodeCount, l.csv.RelCount,
		mib(l.csv.Bytes), l.csv.Took.Round(time.Millisecond), cfg.Neo4jDir, n.log)
	t := time.Now()
	_, usage, err := n.run(ctx, "import", l.csv.ImportArgs()...)
	if err != nil {
		return nil, l, stop, err
	}
	l.importTime = time.Since(t)
	l.importCPU = usage.cpu
	l.importRSS = usage.maxRSS
	// The files are the import's input only; a million nodes take half a
	// gigabyte of them.
	if err := os.RemoveAll(dir); err != nil {
		return nil, l, stop, err
	}

	t = time.Now()
	if cfg.Neo4jURI, _, err = n.run(ctx, "start"); err != nil {
		return nil, l, stop, err
	}
	stop = func() {
		if _, _, err := n.run(context.WithoutCancel(ctx), "stop"); err != nil {
			say("stop neo4j: %v", err)
		}
	}
	l.started = time.Since(t)
	if cfg.Neo4jPID, err = n.pid(); err != nil {
		return nil, l, stop, err
	}
	if client, err = openNeo4j(cfg); err != nil {
		return nil, l, stop, err
	}
	say("Neo4j at %s (pid %d) after %s import and %s start; setting empty arrays, creating the schema",
		cfg.Neo4jURI, cfg.Neo4jPID, l.importTime.Round(time.Millisecond), l.started.Round(time.Millisecond))
	if l.finish, err = l.csv.Finish(ctx, client, m); err != nil {
		client.Close(context.WithoutCancel(ctx))
		return nil, l, stop, err
	}
	l.nodes, l.rels, l.total = l.csv.NodeCount, l.csv.RelCount, time.Since(start)
	// The server did not exist at the first sample: all its CPU time is
	// the load's. The import ran as a child of the script, outside the
	// processes watched, so it moves from "other" to Neo4j.
	w.neo4j = cfg.Neo4jPID
	l.cpu = w.sample().sub(before)
	l.cpu.Neo4j += l.importCPU
	l.cpu.Other -= l.importCPU
	l.rss = PeakRSS(cfg.Neo4jPID)
	return client, l, stop, nil
}

func openNeo4j(cfg *Config) (*neo4j.Client, error) {
	// The full-text index over an imported million nodes takes minutes
	// to populate on a small machine.
	return neo4j.Open(neo4j.Options{URI: cfg.Neo4jURI, Username: cfg.Neo4jUser, Password: cfg.Neo4jPassword,
		Database: "neo4j", RetryTime: time.Minute, IndexWait: 10 * time.Minute})
}

// launcher runs tools/neo4j/neo4j.sh on one Neo4j directory. The rest of
// the script's settings (NEO4J_HEAP, NEO4J_START_TIMEOUT, ...) come from
// the environment; the Bolt port is any free one unless NEO4J_BOLT_PORT
// says otherwise.
type launcher struct {
	script, dir, password string
	log                   string // receives the script's stderr: the import's progress, start's messages
}

type usage struct {
	cpu    float64 // user and system seconds of the script and what it waited for
	maxRSS int64   // of the largest of them, in bytes
}

// run runs one verb and returns its standard output and what it used. A
// failure carries the end of the log.
func (n *launcher) run(ctx context.Context, verb string, args ...string) (string, usage, error) {
	var u usage
	log, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", u, err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, n.script, append([]string{verb}, args...)...)
	env := append(os.Environ(), "NEO4J_DIR="+n.dir, "NEO4J_PASSWORD="+n.password)
	if os.Getenv("NEO4J_BOLT_PORT") == "" {
		env = append(env, "NEO4J_BOLT_PORT=0")
	}
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, log
	// A group of its own, so that a cancelled run stops the JVM the script
	// waits for too, not the script alone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	err = cmd.Run()
	if ps := cmd.ProcessState; ps != nil {
		u.cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			u.maxRSS = ru.Maxrss * 1024
		}
	}
	if err != nil {
		return "", u, fmt.Errorf("neo4j.sh %s: %w\n%s", verb, err, tail(n.log, 20))
	}
	return strings.TrimSpace(stdout.String()), u, nil
}

// pid reads the pid file start leaves in the directory.
func (n *launcher) pid() (int, error) {
	b, err := os.ReadFile(filepath.Join(n.dir, "neo4j.pid"))
	if err != nil {
		return 0, fmt.Errorf("neo4j pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("neo4j pid: %w", err)
	}
	return pid, nil
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	return string(bytes.Join(lines[max(len(lines)-n, 0):], []byte("\n")))
}
