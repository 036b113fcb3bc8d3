// Package natstest gives tests a real NATS server with JetStream, run
// inside the test process (nats-server's own server package), its storage
// in the test's temporary directory. It can be stopped and started again
// on the same port with the same storage, as a broker that goes down and
// comes back. Only tests import it.
package natstest

import (
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server owned by one test.
type Server struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

// Start starts a server on a free port of 127.0.0.1; it is shut down when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir(), port: -1}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's client URL; it stays the same across restarts.
func (s *Server) URL() string { return s.s.ClientURL() }

// Stop shuts the server down and waits until it has.
func (s *Server) Stop() {
	if s.s == nil {
		return
	}
	s.s.Shutdown()
	s.s.WaitForShutdown()
	s.s = nil
}

// RestartEmpty starts the server again on its port with empty storage, as
// a broker that lost its data.
func (s *Server) RestartEmpty() {
	s.t.Helper()
	s.dir = s.t.TempDir()
	s.Restart()
}

// Restart starts the server again, on its port, with the streams it had.
func (s *Server) Restart() {
	s.t.Helper()
	if s.s != nil {
		s.t.Fatal("natstest: the server is running")
	}
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: s.port, JetStream: true, StoreDir: s.dir,
		NoLog: true, NoSigs: true,
	})
	if err != nil {
		s.t.Fatalf("natstest: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		s.t.Fatal("natstest: the server did not start within 10s")
	}
	s.s = srv
	// A restart takes the port the first start was given.
	s.port = srv.Addr().(*net.TCPAddr).Port
}
