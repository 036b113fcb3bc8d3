package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of CPU times in /proc: 100 on every
// Linux the project runs on.
const clockTicks = 100

// CPU is CPU time, in seconds, of the processes the benchmark watches.
type CPU struct {
	Server float64 // the API server being measured (0 for raw Cypher)
	Neo4j  float64
	Driver float64 // this process: the load driver (and, for raw Cypher, the client)
	Other  float64 // everything else on the machine, which the benchmark cannot control
	Wall   float64 // seconds of wall time the sample spans
}

func (c CPU) add(o CPU) CPU {
	return CPU{c.Server + o.Server, c.Neo4j + o.Neo4j, c.Driver + o.Driver, c.Other + o.Other, c.Wall + o.Wall}
}

func (c CPU) sub(o CPU) CPU {
	return CPU{c.Server - o.Server, c.Neo4j - o.Neo4j, c.Driver - o.Driver, c.Other - o.Other, c.Wall - o.Wall}
}

// watcher samples the CPU time of the server under test, of Neo4j, of
// this process and of the whole machine.
type watcher struct {
	server, neo4j int // pids; 0 when there is none
	others        []int
}

func (w *watcher) sample() CPU {
	c := CPU{Server: procCPU(w.server), Neo4j: procCPU(w.neo4j), Driver: procCPU(os.Getpid())}
	ours := c.Server + c.Neo4j + c.Driver
	for _, pid := range w.others {
		ours += procCPU(pid)
	}
	c.Other = machineCPU() - ours
	c.Wall = float64(time.Now().UnixNano()) / 1e9
	return c
}

// procCPU is the user and system time of pid and of its waited-for
// children, in seconds.
func procCPU(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, may hold spaces: count from its end.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var ticks float64
	for _, i := range []int{11, 12} { // utime, stime (fields 14 and 15)
		n, _ := strconv.ParseFloat(fields[i], 64)
		ticks += n
	}
	return ticks / clockTicks
}

// machineCPU is the busy time of all CPUs since boot, in seconds.
func machineCPU() float64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(line)
	var busy float64
	for i, v := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseFloat(v, 64)
		busy += n
	}
	return busy / clockTicks
}

// PeakRSS is a process's peak resident set (VmHWM), in bytes.
func PeakRSS(pid int) int64 { return statusKB(pid, "VmHWM:") * 1024 }

// RSS is a process's resident set now (VmRSS), in bytes.
func RSS(pid int) int64 { return statusKB(pid, "VmRSS:") * 1024 }

func statusKB(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// Server is a server process started for a measurement (the benchmark's
// systems, the soak's API).
type Server struct {
	name   string
	cmd    *exec.Cmd
	Addr   string
	log    *os.File
	exited chan struct{}
}

// freeAddr finds a free port on the loopback interface.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start runs the command on a free loopback address (given as ADDR and
// COMPANYGRAPH_ADDR, with env added to ours), output to logPath, and waits
// until ready says it serves.
func Start(ctx context.Context, name, dir, logPath string, env []string, ready func(ctx context.Context, addr string) error, argv ...string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), "ADDR="+addr, "COMPANYGRAPH_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	// A group of its own: a Ctrl-C of make reaches us, and we stop it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{name: name, cmd: cmd, Addr: addr, log: log, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	// Generous: a loaded 2-core machine, or the seed loading first.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := ready(rctx, addr)
		cancel()
		if err == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited during start-up; see %s", name, logPath)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s not ready after 3 minutes (%v); see %s", name, err, logPath)
		}
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM, as a deployment would, and SIGKILL if the server
// lingers past its own graceful shutdown (15 s for the API).
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.log.Close()
}

// HTTPOK is a readiness check: GET path answers 200.
func HTTPOK(path string) func(context.Context, string) error {
	return func(ctx context.Context, addr string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
		}
		return nil
	}
}
