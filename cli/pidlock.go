package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Whoever can open a pid file can lock it, so a lock alone does not say the
// server holds it: status and stop trust a lock only when its holder is the
// pid written in the file and, where /proc tells, runs as our uid. A lock of
// anyone else is reported, never signalled.
//
// Besides the flock older versions take (so their status and stop still see
// it), the server takes a POSIX record lock, whose holder fcntl(F_GETLK)
// names on any Unix. A record lock belongs to the process and is dropped
// when the process closes any descriptor of the file: the server must not
// open its own pid file again while it runs. A flock without a record lock
// (a server of an older version) is identified through /proc/locks on Linux.

// ErrUntrustedLock: a pid file's lock is held by a process that is not the
// server whose pid the file holds.
var ErrUntrustedLock = errors.New("the lock is not held by the server that wrote the file: not trusting it")

// lockRecord takes a write lock on the whole of f, without waiting.
func lockRecord(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	return syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
}

// recordHolder returns the pid holding a record lock on f that would keep
// the server from taking it (0: none; -1: a holder fcntl does not name, an
// open file description lock or one from another pid namespace).
func recordHolder(f *os.File) (pid int, locked bool, err error) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return 0, false, err
	}
	if lk.Type == syscall.F_UNLCK {
		return 0, false, nil
	}
	if lk.Pid <= 0 {
		return -1, true, nil
	}
	return int(lk.Pid), true, nil
}

// flocked reports whether a flock is held on f.
func flocked(f *os.File) bool {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// flockHolders returns the pids /proc/locks gives for the flocks on f
// (nil when there is no /proc/locks).
func flockHolders(f *os.File) []int {
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	// Linux's encoding of a device number; /proc/locks prints it as
	// major:minor in hex, then the inode.
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	file := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	var pids []int
	for _, line := range strings.Split(string(b), "\n") {
		// "1: FLOCK  ADVISORY  WRITE 1234 fe:00:9985996 0 EOF"; waiters have "->".
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != file {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkHolder says why a lock held by holder is not the lock of the server
// whose pid the file holds (nil when it is).
func checkHolder(path string, pid, holder int) error {
	if holder <= 0 {
		return fmt.Errorf("pid file %s is locked by a process whose pid the lock does not tell: %w", path, ErrUntrustedLock)
	}
	if holder != pid {
		return fmt.Errorf("pid file %s holds pid %d but is locked by pid %d: %w", path, pid, holder, ErrUntrustedLock)
	}
	uid, known, err := procEUID(holder)
	if err != nil {
		return fmt.Errorf("pid file %s is locked by pid %d, which /proc does not show (%v): %w", path, holder, err, ErrUntrustedLock)
	}
	if euid := os.Geteuid(); known && uid != euid {
		return fmt.Errorf("pid file %s is locked by pid %d, which runs as uid %d, not as us (uid %d): %w", path, holder, uid, euid, ErrUntrustedLock)
	}
	return nil
}

// procEUID returns the effective uid of pid from /proc (known false where
// there is no /proc).
func procEUID(pid int) (uid int, known bool, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		if _, serr := os.Stat("/proc/self/status"); serr != nil {
			return 0, false, nil
		}
		return 0, true, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		// "Uid:	real	effective	saved	filesystem"
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			if f := strings.Fields(rest); len(f) >= 2 {
				uid, err := strconv.Atoi(f[1])
				return uid, err == nil, err
			}
		}
	}
	return 0, true, errors.New("no Uid line in its status")
}
