package main_test

// Anyone who can open a pid file can lock it: status and stop trust a lock
// only from the server whose pid the file holds, and never signal another
// process. The lockers are this test binary run again (see locker).

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

const (
	lockerEnv      = "KARAFKA_TEST_LOCK"       // the file a locker locks
	lockerKindsEnv = "KARAFKA_TEST_LOCK_KINDS" // "flock", "record" or both, comma-separated
	otherUID       = 12345                     // a user that is not us
)

// locker opens the file of $KARAFKA_TEST_LOCK for reading (what anyone who
// may read it can do), locks it as $KARAFKA_TEST_LOCK_KINDS says, prints
// "locked" and holds the locks until its stdin closes.
func locker() int {
	f, err := os.Open(os.Getenv(lockerEnv))
	if err != nil {
		os.Stdout.WriteString(err.Error() + "\n")
		return 1
	}
	for _, kind := range strings.Split(os.Getenv(lockerKindsEnv), ",") {
		switch kind {
		case "flock":
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		case "record":
			lk := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: io.SeekStart}
			err = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		}
		if err != nil {
			os.Stdout.WriteString(kind + ": " + err.Error() + "\n")
			return 1
		}
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	// f must outlive the wait: once unreferenced, a garbage collection
	// runs its finalizer, which closes the descriptor and so drops both
	// locks (a CI run under load saw "locked, no pid yet" find no lock).
	runtime.KeepAlive(f)
	return 0
}

// watched is a process and whether it has exited.
type watched struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// alive fails t when the process exited (a signal takes a moment to land).
func (w *watched) alive(t *testing.T, what string) {
	t.Helper()
	select {
	case <-w.done:
		t.Errorf("%s (pid %d) was signalled: %v", what, w.cmd.Process.Pid, w.cmd.ProcessState)
	case <-time.After(300 * time.Millisecond):
	}
}

func watch(t *testing.T, cmd *exec.Cmd) *watched {
	t.Helper()
	w := &watched{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(w.done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-w.done })
	return w
}

// startLocker runs exe as a locker of path; cred runs it as another user.
func startLocker(t *testing.T, exe, path, kinds string, cred *syscall.Credential) *watched {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), lockerEnv+"="+path, lockerKindsEnv+"="+kinds)
	cmd.Dir = filepath.Dir(path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	w := watch(t, cmd)
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("locker of %s: %q", path, line)
	}
	return w
}

func startSleeper(t *testing.T) *watched {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return watch(t, cmd)
}

func writePID(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// stopAlone runs stop in its own process group, so that a kill(0) it would
// make reaches none of the tests' processes.
func stopAlone(t *testing.T, pidPath string) result {
	t.Helper()
	return runWith(t, &syscall.SysProcAttr{Setpgid: true}, testkafka.CleanEnv(), "", "stop", "--pid-file", pidPath, "--timeout", "5s")
}

func TestProcess_stopSignalsOnlyTheServerOfItsPidFile(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A process of ours locks the file, which holds another pid: an
	// unrelated process, not to be reported nor signalled.
	for _, kinds := range []string{"flock,record", "flock", "record"} {
		t.Run("lock of another process: "+kinds, func(t *testing.T) {
			pidPath := filepath.Join(t.TempDir(), "app.pid")
			sleeper := startSleeper(t)
			writePID(t, pidPath, strconv.Itoa(sleeper.cmd.Process.Pid)+"\n", 0o600)
			lk := startLocker(t, self, pidPath, kinds, nil)
			want := "pid file " + pidPath + " holds pid " + strconv.Itoa(sleeper.cmd.Process.Pid) +
				" but is locked by pid " + strconv.Itoa(lk.cmd.Process.Pid) + ": the lock is not held by the server that wrote the file: not trusting it"
			if r := run(t, nil, "", "status", "--pid-file", pidPath); r.code != 4 || !strings.Contains(r.stdout, want) {
				t.Errorf("status: %+v\nwant exit 4 and %q", r, want)
			}
			if r := stopAlone(t, pidPath); r.code != 4 || !strings.Contains(r.stderr, want) {
				t.Errorf("stop: %+v\nwant exit 4 and %q", r, want)
			}
			sleeper.alive(t, "the process the pid file names")
			lk.alive(t, "the locker")
			if _, err := os.Stat(pidPath); err != nil {
				t.Errorf("stop removed the pid file: %v", err)
			}
		})
	}
	// A file locked before its pid is written is a server starting: stop
	// signals nobody (kill(0) would signal its own process group).
	t.Run("locked, no pid yet", func(t *testing.T) {
		pidPath := filepath.Join(t.TempDir(), "app.pid")
		writePID(t, pidPath, "", 0o600)
		lk := startLocker(t, self, pidPath, "flock,record", nil)
		if r := run(t, nil, "", "status", "--pid-file", pidPath); r.code != 0 || !strings.Contains(r.stdout, "running (starting: pid file "+pidPath+" holds no pid yet)") {
			t.Errorf("status: %+v", r)
		}
		if r := stopAlone(t, pidPath); r.code != 4 || !strings.Contains(r.stderr, "holds no pid yet (a server starting): not signalling") {
			t.Errorf("stop: %+v", r)
		}
		lk.alive(t, "the locker")
	})
	// A server of an older version takes only a flock: /proc/locks names
	// its holder, and stop still stops it.
	t.Run("older server, flock only", func(t *testing.T) {
		if _, err := os.Stat("/proc/locks"); err != nil {
			t.Skipf("no /proc/locks to name a flock's holder: %v", err)
		}
		pidPath := filepath.Join(t.TempDir(), "app.pid")
		writePID(t, pidPath, "", 0o600)
		lk := startLocker(t, self, pidPath, "flock", nil)
		pid := strconv.Itoa(lk.cmd.Process.Pid)
		writePID(t, pidPath, pid+"\n", 0o600)
		if r := run(t, nil, "", "status", "--pid-file", pidPath); r.code != 0 || !strings.Contains(r.stdout, "running (pid "+pid) {
			t.Errorf("status: %+v", r)
		}
		if r := stopAlone(t, pidPath); r.code != 0 || !strings.Contains(r.stdout, "stopped (pid "+pid+")") {
			t.Errorf("stop: %+v", r)
		}
		select {
		case <-lk.done:
		case <-time.After(5 * time.Second):
			t.Errorf("the older server (pid %s) was not stopped", pid)
		}
	})
}

// A pid file of another user, or one whose lock another user holds, is
// refused: not reported as running, not signalled, not removed, and the
// server does not start on it.
func TestProcess_pidFileOfAnotherUserIsRefused(t *testing.T) {
	t.Run("file of another user", func(t *testing.T) {
		pidPath := filepath.Join(t.TempDir(), "app.pid")
		sleeper := startSleeper(t)
		writePID(t, pidPath, strconv.Itoa(sleeper.cmd.Process.Pid)+"\n", 0o644)
		if err := os.Chown(pidPath, otherUID, otherUID); err != nil {
			t.Skipf("cannot give a file to another uid (needs root or CAP_CHOWN): %v", err)
		}
		want := "pid file " + pidPath + " is owned by another user: refusing to trust it (owner uid " + strconv.Itoa(otherUID)
		if r := run(t, nil, "", "status", "--pid-file", pidPath); r.code != 4 || !strings.Contains(r.stdout, want) {
			t.Errorf("status: %+v\nwant exit 4 and %q", r, want)
		}
		if r := stopAlone(t, pidPath); r.code != 4 || !strings.Contains(r.stderr, want) {
			t.Errorf("stop: %+v\nwant exit 4 and %q", r, want)
		}
		sleeper.alive(t, "the process the pid file names")
		if _, err := os.Stat(pidPath); err != nil {
			t.Errorf("stop removed the pid file: %v", err)
		}
	})
	t.Run("lock of another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("running a locker as another user needs root")
		}
		// The locker runs as otherUID: its binary, directory and the pid
		// file (0644, as older versions made it) must be readable by it.
		dir, err := os.MkdirTemp("", "karafka-lock")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		exe := filepath.Join(dir, "locker")
		if b, err := os.ReadFile(self); err != nil || os.WriteFile(exe, b, 0o755) != nil {
			t.Fatalf("copying the test binary: %v", err)
		}
		pidPath := filepath.Join(dir, "app.pid")
		writePID(t, pidPath, "", 0o644)
		lk := startLocker(t, exe, pidPath, "flock,record", &syscall.Credential{Uid: otherUID, Gid: otherUID})
		pid := strconv.Itoa(lk.cmd.Process.Pid)
		writePID(t, pidPath, pid+"\n", 0o644)
		want := "pid file " + pidPath + " is locked by pid " + pid + ", which runs as uid " + strconv.Itoa(otherUID) + ", not as us (uid 0)"
		if r := run(t, nil, "", "status", "--pid-file", pidPath); r.code != 4 || !strings.Contains(r.stdout, want) {
			t.Errorf("status: %+v\nwant exit 4 and %q", r, want)
		}
		if r := stopAlone(t, pidPath); r.code != 4 || !strings.Contains(r.stderr, want) {
			t.Errorf("stop: %+v\nwant exit 4 and %q", r, want)
		}
		lk.alive(t, "the other user's locker")
		r := run(t, nil, "", "server", "--pid-file", pidPath, "--embedded-broker="+freeAddr(t))
		if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "not starting") || strings.Contains(r.stderr, "already running") {
			t.Errorf("server: %+v\nwant exit 1 and %q, not starting", r, want)
		}
	})
}
