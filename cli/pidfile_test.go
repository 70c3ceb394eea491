package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// A pid file in a directory others write to: whatever a neighbour put at
// the path is refused, named in the error, and left as it was.
func TestPIDFile_refusesWhatIsNotAFileOfOurs(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	if err := os.WriteFile(precious, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		make func(path string) error
		want error
		msg  string
	}{
		{"symlink", func(p string) error { return os.Symlink(precious, p) }, ErrSymlink,
			"is a symbolic link: refusing to follow it"},
		{"dangling symlink", func(p string) error { return os.Symlink(filepath.Join(dir, "created-through-link"), p) }, ErrSymlink,
			"is a symbolic link: refusing to follow it"},
		{"hard link", func(p string) error { return os.Link(precious, p) }, ErrHardLinked,
			"has other hard links: refusing to write through it (2 links)"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, ErrNotRegular,
			"is not a regular file (a directory)"},
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o600) }, ErrNotRegular,
			"is not a regular file (a named pipe)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".pid")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			pf, err := acquirePIDFile(path)
			if err == nil {
				pf.release()
				t.Fatalf("acquired %s", tc.name)
			}
			if want := "pid file " + path + " " + tc.msg; !errors.Is(err, tc.want) || err.Error() != want {
				t.Errorf("error %q (is %v: %v), want %q", err, tc.want, errors.Is(err, tc.want), want)
			}
			if _, err := os.Lstat(path); err != nil {
				t.Errorf("the refused path is gone: %v", err)
			}
		})
	}
	if b, _ := os.ReadFile(precious); string(b) != "precious\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if _, err := os.Lstat(filepath.Join(dir, "created-through-link")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was created through the dangling link: %v", err)
	}
}

// A pid file of another user is not ours to lock, write or remove.
func TestPIDFile_refusesAnotherUsersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "theirs.pid")
	if err := os.WriteFile(path, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const other = 12345
	if err := os.Chown(path, other, other); err != nil {
		t.Skipf("cannot give a file to another uid (needs root or CAP_CHOWN): %v", err)
	}
	pf, err := acquirePIDFile(path)
	if err == nil {
		pf.release()
		t.Fatal("acquired another user's pid file")
	}
	if !errors.Is(err, ErrNotOwned) || err.Error() != "pid file "+path+" is owned by another user: refusing to trust it (owner uid 12345, we run as uid "+strconv.Itoa(os.Geteuid())+")" {
		t.Errorf("error %q", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "1\n" {
		t.Errorf("their pid file was written: %q", b)
	}
}

// A new pid file, and one an older server left 0644, are readable by us
// only: whoever can open the file can lock it.
func TestPIDFile_isOursOnly(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.pid")
	if err := os.WriteFile(old, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(old, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.pid"), old} {
		pf, err := acquirePIDFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		pf.release()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(path), fi.Mode().Perm())
		}
	}
}
