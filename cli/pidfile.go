package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A pid file holds the server's pid and is locked by the server for as
// long as it runs (pidlock.go). The lock, not the pid, tells whether the
// server runs: a crashed server leaves a file nobody locks (stale), and a pid
// reused by another process cannot be mistaken for the server.

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
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		err = lockRecord(f)
	}
	if err != nil {
		f.Close()
		return nil, busyError(path, err)
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
	StatusUnknown    = 4 // pid file unreadable, not holding a pid, not ours, or locked by another process
)

func (s processState) exitCode() int {
	return [...]int{StatusRunning, StatusStale, StatusNotRunning, StatusUnknown}[s]
}

// busyError says who holds path, which the server could not lock (lockErr).
func busyError(path string, lockErr error) error {
	st, pid, err := inspect(path)
	switch {
	case st == stateRunning && pid > 0:
		return fmt.Errorf("pid file %s: %w (pid %d)", path, ErrAlreadyRunning, pid)
	case st == stateRunning:
		return fmt.Errorf("pid file %s: %w (starting)", path, ErrAlreadyRunning)
	case errors.Is(err, ErrUntrustedLock):
		return fmt.Errorf("%w; not starting: remove the file if no server of ours uses it", err)
	case err != nil:
		return err
	}
	return fmt.Errorf("pid file %s: locking it: %w", path, lockErr)
}

// inspect reads path and checks whether its server runs: the file must be
// ours, and its lock held by the pid it holds.
func inspect(path string) (processState, int, error) {
	f, err := openOwned("pid file", path, os.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return stateNotRunning, 0, nil
	}
	if err != nil {
		return stateUnknown, 0, err
	}
	defer f.Close()
	pid, perr := readPID(f, path)
	holder, held, err := recordHolder(f)
	if err != nil {
		return stateUnknown, pid, fmt.Errorf("pid file %s: %w", path, err)
	}
	if !held && flocked(f) {
		// A server of an older version (flock only), or anyone else.
		holders := flockHolders(f)
		if len(holders) != 1 {
			return stateUnknown, pid, fmt.Errorf("pid file %s is locked (flock) by a process that neither takes a record lock nor shows in /proc/locks: %w", path, ErrUntrustedLock)
		}
		holder, held = holders[0], true
	}
	switch {
	case !held && perr != nil:
		return stateUnknown, 0, perr
	case !held:
		return stateStale, pid, nil
	case perr != nil:
		// Locked before the pid is written: a server starting, if the
		// holder is one of ours.
		if err := checkHolder(path, holder, holder); err != nil {
			return stateUnknown, 0, err
		}
		return stateRunning, 0, nil
	}
	if err := checkHolder(path, pid, holder); err != nil {
		return stateUnknown, pid, err
	}
	return stateRunning, pid, nil
}

// locked reports whether a server holds path.
func locked(path string) bool {
	st, _, _ := inspect(path)
	return st == stateRunning
}

// refused reports whether err refuses a pid file (not ours, or locked by
// another process than its server).
func refused(err error) bool {
	for _, e := range []error{ErrSymlink, ErrNotRegular, ErrNotOwned, ErrHardLinked, ErrUntrustedLock} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func readPID(f *os.File, path string) (int, error) {
	b, err := io.ReadAll(io.LimitReader(f, 64))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("pid file %s does not hold a pid: %q", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}
