package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A pid file holds the server's pid and is locked (flock) by the server for
// as long as it runs. The lock, not the pid, tells whether the server runs:
// a crashed server leaves a file nobody locks (stale), and a pid reused by
// another process cannot be mistaken for the server.

// ErrAlreadyRunning: another server holds the pid file.
var ErrAlreadyRunning = errors.New("already running")

// pidFile is a pid file held by a running server.
type pidFile struct {
	path string
	f    *os.File
}

// acquirePIDFile locks path and writes the current pid into it.
func acquirePIDFile(path string) (*pidFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	f, err := openOwned("pid file", path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	// Only we read it: whoever can open it can lock it (one left by an
	// older server is 0644).
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		pid, _ := readPID(path)
		return nil, fmt.Errorf("pid file %s: %w (pid %d)", path, ErrAlreadyRunning, pid)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("pid file %s: %w", path, err)
	}
	return &pidFile{path: path, f: f}, nil
}

// release removes the file and drops the lock.
func (p *pidFile) release() {
	if p == nil {
		return
	}
	_ = os.Remove(p.path)
	_ = p.f.Close()
}

// processState is what a pid file says about its server.
type processState int

const (
	stateRunning    processState = iota // the file is locked by a live server
	stateStale                          // the file exists but nobody holds it
	stateNotRunning                     // no pid file
	stateUnknown                        // the file cannot be read or holds no pid
)

// Exit codes of `status`, after LSB's init-script conventions.
const (
	StatusRunning    = 0 // running
	StatusStale      = 1 // not running, stale pid file left behind
	StatusNotRunning = 3 // not running, no pid file
	StatusUnknown    = 4 // pid file unreadable or not holding a pid
)

func (s processState) exitCode() int {
	return [...]int{StatusRunning, StatusStale, StatusNotRunning, StatusUnknown}[s]
}

// inspect reads path and checks whether its server runs.
func inspect(path string) (processState, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return stateNotRunning, 0, nil
	}
	if err != nil {
		return stateUnknown, 0, err
	}
	defer f.Close()
	pid, perr := readPID(path)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if perr != nil {
				// Locked but empty: the server is starting; report it running.
				return stateRunning, 0, nil
			}
			return stateRunning, pid, nil
		}
		return stateUnknown, pid, err
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if perr != nil {
		return stateUnknown, 0, perr
	}
	return stateStale, pid, nil
}

// locked reports whether a server holds path.
func locked(path string) bool {
	st, _, _ := inspect(path)
	return st == stateRunning
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s does not hold a pid: %q", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}
