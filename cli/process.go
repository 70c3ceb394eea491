package cli

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// defaultPIDFile is used when --pid-file is not given.
func (r *runner) defaultPIDFile() string { return "tmp/pids/" + r.name + ".pid" }

func (r *runner) statusCmd() *cobra.Command {
	var pidPath string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Tell whether the server of a pid file runs",
		Long: `Tell whether the server of a pid file runs (Capistrano's karafka:status).
A server is seen only through the pid file it locks: one started with --daemon,
or in the foreground with --pid-file. A server started without --pid-file
writes none, and status cannot tell it runs. A lock is trusted only when its
holder is the pid in the file and runs as our user; the file must be ours.

Exit status (LSB):
  0  running
  1  not running, but a stale pid file was left behind (crash or kill -9)
  3  not running (no pid file)
  4  pid file unreadable, not holding a pid, not a regular file of ours, or
     locked by another process than the server whose pid it holds`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, pid, err := inspect(pidPath)
			out := cmd.OutOrStdout()
			switch st {
			case stateRunning:
				if pid == 0 {
					fmt.Fprintf(out, "running (starting: pid file %s holds no pid yet)\n", pidPath)
					break
				}
				fmt.Fprintf(out, "running (pid %d, pid file %s)\n", pid, pidPath)
			case stateStale:
				fmt.Fprintf(out, "not running: stale pid file %s (pid %d is not a running server)\n", pidPath, pid)
			case stateNotRunning:
				fmt.Fprintf(out, "not running (no pid file %s)\n", pidPath)
				fmt.Fprintf(out, "note: status sees a server only through its pid file; a server started without --pid-file (in the foreground) writes none and cannot be seen: start it with --pid-file %s\n", pidPath)
			case stateUnknown:
				fmt.Fprintf(out, "unknown: %v\n", err)
			}
			return Exit(st.exitCode(), nil)
		},
	}
	cmd.Flags().StringVarP(&pidPath, "pid-file", "p", r.defaultPIDFile(), "pid file of the server")
	return cmd
}

// Exit codes of `stop`.
const (
	StopOK      = 0 // stopped, or was not running (a stale pid file is removed)
	StopTimeout = 1 // still running after --timeout
	StopUnknown = 4 // pid file unreadable, not ours, or locked by another process: nobody signalled
)

func (r *runner) stopCmd() *cobra.Command {
	var pidPath string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the server of a pid file gracefully and wait until it is gone",
		Long: `Send SIGTERM to the server of a pid file and wait until it exited (Capistrano's
karafka:stop). The server drains in-flight messages and commits before exiting.
Only the server that locks the pid file and whose pid it holds is signalled:
a pid file of another user, or one locked by another process, is refused (4).

Exit status:
  0  stopped, or not running (a stale pid file is reported and removed)
  1  still running after --timeout
  4  pid file unreadable, not holding a pid, not a regular file of ours, or
     locked by another process than the server whose pid it holds`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return stop(cmd, pidPath, timeout)
		},
	}
	cmd.Flags().StringVarP(&pidPath, "pid-file", "p", r.defaultPIDFile(), "pid file of the server")
	cmd.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "how long to wait for the server to exit")
	return cmd
}

func stop(cmd *cobra.Command, pidPath string, timeout time.Duration) error {
	out := cmd.OutOrStdout()
	st, pid, err := inspect(pidPath)
	switch st {
	case stateNotRunning:
		fmt.Fprintf(out, "not running (no pid file %s)\n", pidPath)
		return nil
	case stateStale:
		fmt.Fprintf(out, "not running: removed stale pid file %s (pid %d)\n", pidPath, pid)
		_ = os.Remove(pidPath)
		return nil
	case stateUnknown:
		return Exit(StopUnknown, err)
	}
	if pid <= 0 {
		// kill(0) would signal our own process group.
		return Exit(StopUnknown, fmt.Errorf("pid file %s is locked but holds no pid yet (a server starting): not signalling; try again", pidPath))
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return Exit(ExitFailure, fmt.Errorf("signal pid %d: %w", pid, err))
	}
	fmt.Fprintf(out, "stopping pid %d ...\n", pid)
	deadline := time.Now().Add(timeout)
	for locked(pidPath) {
		if time.Now().After(deadline) {
			return Exit(StopTimeout, fmt.Errorf("pid %d still running after %v", pid, timeout))
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(out, "stopped (pid %d)\n", pid)
	return nil
}

func (r *runner) restartCmd() *cobra.Command {
	var pidPath, logFile string
	var timeout time.Duration
	var embedded string
	cmd := &cobra.Command{
		Use:   "restart",
		Short: "Stop the server of a pid file, then start it again as a daemon",
		Long: `Stop the server of a pid file (as stop does), then start ` + "`server --daemon`" + ` with the
same pid file and the given configuration (Capistrano's karafka:restart).

Exit status: 0 restarted, 1 the old server did not stop in time or the new one did not start,
2 usage or configuration error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := r.settings(cmd); err != nil {
				return err
			}
			if err := stop(cmd, pidPath, timeout); err != nil {
				return err
			}
			args := []string{"server", "--pid-file", pidPath}
			if logFile != "" {
				args = append(args, "--log-file", logFile)
			}
			if embedded != "" {
				args = append(args, "--embedded-broker="+embedded)
			}
			return r.daemonize(cmd, append(args, r.configArgs()...), pidPath, logFile)
		},
	}
	cmd.Flags().StringVarP(&pidPath, "pid-file", "p", r.defaultPIDFile(), "pid file of the server")
	cmd.Flags().StringVar(&logFile, "log-file", "", "log file of the new server (default: the pid file's path with .log for .pid)")
	cmd.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "how long to wait for the old server to exit")
	cmd.Flags().StringVar(&embedded, "embedded-broker", "", "start the new server with the embedded broker on ADDR")
	return cmd
}

// configArgs repeats the configuration flags for a child process.
func (r *runner) configArgs() []string {
	var args []string
	if r.configFile != "" {
		args = append(args, "--config", absPath(r.configFile))
	}
	for _, b := range r.brokers {
		args = append(args, "--brokers", b)
	}
	if r.logLevel != "" {
		args = append(args, "--log-level", r.logLevel)
	}
	if r.logFormat != "" {
		args = append(args, "--log-format", r.logFormat)
	}
	if r.instanceID != "" {
		args = append(args, "--instance-id", r.instanceID)
	}
	for _, s := range r.sets {
		args = append(args, "--set", s)
	}
	return args
}
