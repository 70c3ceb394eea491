package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// The pid file and the daemon's log may live in a directory others can write
// to (/tmp, a shared deploy directory). A file a neighbour put there must not
// become ours to write: a symbolic link would make the server write its pid or
// log into the link's target, a hard link into a file of ours elsewhere, and a
// file of another user would be trusted. So such files are opened without
// following a link and must be regular files of our effective uid with a
// single link; new ones are created 0600.

// Why a pid or log file is refused; errors.Is tells them apart.
var (
	ErrSymlink    = errors.New("is a symbolic link: refusing to follow it")
	ErrNotRegular = errors.New("is not a regular file")
	ErrNotOwned   = errors.New("is owned by another user: refusing to trust it")
	ErrHardLinked = errors.New("has other hard links: refusing to write through it")
)

// openOwned opens path with flag (O_CREATE makes it 0600) when it is a
// regular file of ours; what names it in errors ("pid file", "log file").
// A missing file gives an error matching os.ErrNotExist.
func openOwned(what, path string, flag int) (*os.File, error) {
	// O_NONBLOCK: opening a named pipe does not wait for its other end.
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		// Say what is wrong with the path rather than ELOOP or EACCES.
		if fi, lerr := os.Lstat(path); lerr == nil {
			if cerr := checkOwned(what, path, fi); cerr != nil {
				return nil, cerr
			}
		}
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkOwned(what, path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkOwned refuses fi unless it is a regular file of our effective uid
// with one link.
func checkOwned(what, path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s %s %w", what, path, ErrSymlink)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s %s %w (%s)", what, path, ErrNotRegular, fileKind(fi.Mode()))
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%s %s %w (owner uid %d, we run as uid %d)", what, path, ErrNotOwned, st.Uid, euid)
	}
	if st.Nlink > 1 {
		return fmt.Errorf("%s %s %w (%d links)", what, path, ErrHardLinked, st.Nlink)
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}
